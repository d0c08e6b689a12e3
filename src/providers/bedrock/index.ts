/**
 * The `bedrock` adapter: AWS Bedrock's Converse and ConverseStream APIs behind the OpenAI chat API (and so behind
 * /v1/messages and the Responses API too). Endpoint, headers and credentials live here; the translation lives in
 * request.ts, response.ts, stream.ts (with event-stream.ts for the binary framing) and errors.ts. Requests are
 * signed with SigV4 by signer.ts, unless the provider has a Bedrock API key (`api_key`), sent as a bearer token.
 */
import type { ChatRequest } from '../openai-types';
import type { ProviderAdapter, ProviderSettings, UpstreamCall } from '../types';
import { providerHeaders } from '../request-headers';
import { UpstreamFailure } from '../../upstream/http-spec';
import { parseBedrockError } from './errors';
import { BedrockEventStreamDecoder } from './event-stream';
import { toConverseRequest } from './request';
import { converseToCompletion } from './response';
import { BedrockSigner } from './signer';
import { BedrockStreamTranslator } from './stream';
import type { BedrockConverseResponse } from './wire-types';

/** The region used when neither the provider's `region` nor AWS_REGION / AWS_DEFAULT_REGION name one. */
export const BEDROCK_DEFAULT_REGION = 'us-east-1';

type Env = Readonly<Record<string, string | undefined>>;

/** @example bedrockRegion({ region: 'eu-west-1' }, {}) // 'eu-west-1' */
export function bedrockRegion(options: Record<string, unknown>, env: Env): string {
  if (typeof options.region === 'string' && options.region) return options.region;
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || BEDROCK_DEFAULT_REGION;
}

/**
 * @example bedrockEndpoint('https://bedrock-runtime.us-east-1.amazonaws.com', 'anthropic.claude-3-5-haiku-20241022-v1:0', true)
 * // 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream'
 */
export function bedrockEndpoint(baseUrl: string, modelId: string, stream: boolean): string {
  return `${baseUrl}/model/${encodeURIComponent(modelId)}/${stream ? 'converse-stream' : 'converse'}`;
}

function label(provider: ProviderSettings | undefined): string {
  return provider ? `Bedrock provider "${provider.name}"` : 'Bedrock';
}

/** ConverseStream answers in AWS's binary event stream, not SSE. */
const EVENT_STREAM = 'application/vnd.amazon.eventstream';

/**
 * @example
 * bedrockAdapter.buildChatRequest({ model: 'anthropic.claude-3-5-haiku-20241022-v1:0', messages }, call)
 * // POST https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse (signed in the transport)
 */
export const bedrockAdapter: ProviderAdapter = {
  api: 'bedrock',

  baseUrlFor(options, env) {
    return `https://bedrock-runtime.${bedrockRegion(options, env)}.amazonaws.com`;
  },

  authHeaders(provider): Record<string, string> {
    // A Bedrock API key; without one, every request is signed by the transport (createSigner).
    return provider.apiKey ? { authorization: `Bearer ${provider.apiKey}` } : {};
  },

  createSigner(provider, context) {
    if (provider.apiKey) return undefined;
    return new BedrockSigner(provider.name, provider.options, bedrockRegion(provider.options, context.env), context);
  },

  createStreamDecoder(call) {
    return new BedrockEventStreamDecoder(label(call.provider));
  },

  buildChatRequest(body: ChatRequest, call: UpstreamCall) {
    const modelId = body.model || call.model;
    const headers = providerHeaders(call.provider, false, bedrockAdapter.authHeaders);
    return {
      method: 'POST',
      url: bedrockEndpoint(call.provider.baseUrl, modelId, call.stream),
      headers: call.stream ? { ...headers, accept: EVENT_STREAM } : headers,
      body: JSON.stringify(toConverseRequest({ ...body, model: modelId }, call.provider)),
    };
  },

  parseChatResponse(json: unknown, call: UpstreamCall) {
    const res = json as Partial<BedrockConverseResponse> | null;
    if (!res || typeof res !== 'object' || !res.output || typeof res.output !== 'object' || typeof res.stopReason !== 'string') {
      throw new UpstreamFailure({
        status: 502,
        type: 'upstream_error',
        code: 'bad_upstream_response',
        retryable: true,
        message: `${label(call.provider)} answered with something that is not a Converse response.`,
      });
    }
    return converseToCompletion(res as BedrockConverseResponse, call.model);
  },

  createStreamTranslator(call: UpstreamCall) {
    return new BedrockStreamTranslator(label(call.provider), call.model);
  },

  parseError(status, bodyText, headers, provider: ProviderSettings) {
    return parseBedrockError(status, bodyText, headers, label(provider));
  },
};
