/**
 * The `anthropic` adapter: Claude's Messages API behind the OpenAI chat API. Endpoint and headers live here;
 * the translation lives in request.ts, response.ts, stream.ts and errors.ts.
 */
import type { ChatRequest } from '../openai-types';
import type { ProviderAdapter, ProviderSettings, UpstreamCall } from '../types';
import { providerHeaders } from '../request-headers';
import { UpstreamFailure } from '../../upstream/http-spec';
import { parseAnthropicError } from './errors';
import { toAnthropicRequest } from './request';
import { anthropicMessageToCompletion } from './response';
import { AnthropicStreamTranslator } from './stream';
import type { AnthropicMessage } from './wire-types';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com/v1';
/** The API version sent unless the provider entry sets `version`. */
export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01';

/**
 * The API root every Anthropic endpoint hangs off: `base_url` as Anthropic's SDK, Claude Code and LiteLLM take it
 * (`https://api.anthropic.com`, to which they add `/v1`), or already ending in `/v1` as Switchyard used to
 * require. Both work.
 *
 * @example anthropicApiRoot('https://api.anthropic.com') // 'https://api.anthropic.com/v1'
 * @example anthropicApiRoot('https://api.anthropic.com/v1/') // 'https://api.anthropic.com/v1'
 */
export function anthropicApiRoot(baseUrl: string): string {
  const base = (baseUrl || ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, '');
  return /\/v1$/.test(base) ? base : `${base}/v1`;
}

function label(provider: ProviderSettings | undefined): string {
  return provider ? `Anthropic provider "${provider.name}"` : 'Anthropic';
}

/**
 * @example
 * anthropicAdapter.buildChatRequest({ model: 'claude-sonnet-4-5', messages }, call)
 * // POST https://api.anthropic.com/v1/messages with x-api-key and anthropic-version
 */
export const anthropicAdapter: ProviderAdapter = {
  api: 'anthropic',
  defaultBaseUrl: ANTHROPIC_DEFAULT_BASE_URL,

  authHeaders(provider) {
    const version = typeof provider.options.version === 'string' ? provider.options.version : ANTHROPIC_DEFAULT_VERSION;
    return { 'x-api-key': provider.apiKey, 'anthropic-version': version };
  },

  buildChatRequest(body: ChatRequest, call: UpstreamCall) {
    const anthropicBody = toAnthropicRequest({ ...body, stream: call.stream }, call.provider);
    return {
      method: 'POST',
      url: `${anthropicApiRoot(call.provider.baseUrl)}/messages`,
      headers: providerHeaders(call.provider, call.stream, anthropicAdapter.authHeaders),
      body: JSON.stringify(anthropicBody),
    };
  },

  parseChatResponse(json: unknown, call: UpstreamCall) {
    const msg = json as Partial<AnthropicMessage> | null;
    if (!msg || typeof msg !== 'object' || msg.type !== 'message' || !Array.isArray(msg.content)) {
      throw new UpstreamFailure({
        status: 502,
        type: 'upstream_error',
        code: 'bad_upstream_response',
        retryable: true,
        message: `${label(call.provider)} answered with something that is not a message.`,
      });
    }
    return anthropicMessageToCompletion(msg as AnthropicMessage);
  },

  createStreamTranslator(call: UpstreamCall) {
    return new AnthropicStreamTranslator(label(call.provider));
  },

  parseError(status, bodyText, headers, provider: ProviderSettings) {
    return parseAnthropicError(status, bodyText, headers, label(provider));
  },
};
