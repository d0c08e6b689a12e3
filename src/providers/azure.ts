/**
 * The `azure` adapter: Azure OpenAI. Same wire format as OpenAI (so it reuses the pass-through adapter), but the
 * deployment is in the URL, the API version in the query, and the key in an `api-key` header.
 */
import type { ChatRequest, EmbeddingsRequest } from './openai-types';
import { openaiAdapter } from './openai';
import { providerHeaders } from './request-headers';
import type { ProviderAdapter, ProviderSettings, UpstreamCall } from './types';
import type { HttpRequestSpec } from '../upstream/http-spec';

/** The GA data-plane version used when the provider entry sets no `api_version`. */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

/**
 * Where a call goes. `base_url` is the resource endpoint (`https://{resource}.openai.azure.com`, with or without
 * `/openai`); a provider may instead set `resource: name`. `api_version: v1` selects Azure's newer v1 API, which
 * takes the deployment in the body's `model` like OpenAI does.
 *
 * @example azureEndpoint({ baseUrl: 'https://acme.openai.azure.com', options: {} }, 'gpt-4o', 'chat/completions')
 * // 'https://acme.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21'
 */
export function azureEndpoint(
  provider: Pick<ProviderSettings, 'baseUrl' | 'options'>,
  deployment: string,
  operation: 'chat/completions' | 'embeddings',
): string {
  const resource = typeof provider.options.resource === 'string' ? provider.options.resource : undefined;
  const origin = (provider.baseUrl || (resource ? `https://${resource}.openai.azure.com` : '')).replace(/\/+$/, '').replace(/\/openai$/, '');
  const version = typeof provider.options.api_version === 'string' ? provider.options.api_version : AZURE_DEFAULT_API_VERSION;
  if (version === 'v1') return `${origin}/openai/v1/${operation}`;
  return `${origin}/openai/deployments/${encodeURIComponent(deployment)}/${operation}?api-version=${encodeURIComponent(version)}`;
}

/** OpenAI's request for `call`, sent to Azure's URL with Azure's `api-key` header instead of a Bearer token. */
function asAzureRequest(spec: HttpRequestSpec, url: string, call: UpstreamCall): HttpRequestSpec {
  return { method: spec.method, url, headers: providerHeaders(call.provider, call.stream, azureAdapter.authHeaders), body: spec.body };
}

/**
 * @example azureAdapter.buildChatRequest({ model: 'my-gpt4o-deployment', messages }, call)
 */
export const azureAdapter: ProviderAdapter = {
  ...openaiAdapter,
  api: 'azure',

  authHeaders(provider): Record<string, string> {
    return provider.apiKey ? { 'api-key': provider.apiKey } : {};
  },

  buildChatRequest(body: ChatRequest, call: UpstreamCall) {
    return asAzureRequest(openaiAdapter.buildChatRequest(body, call), azureEndpoint(call.provider, call.model, 'chat/completions'), call);
  },

  buildEmbeddingsRequest(body: EmbeddingsRequest, call: UpstreamCall) {
    const spec = openaiAdapter.buildEmbeddingsRequest?.(body, call);
    if (!spec) throw new Error('The OpenAI adapter lost its embeddings support; azure relies on it.');
    return asAzureRequest(spec, azureEndpoint(call.provider, call.model, 'embeddings'), call);
  },
};
