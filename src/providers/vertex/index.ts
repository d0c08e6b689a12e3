/**
 * The `vertex` adapter: Google Vertex AI. Gemini models (`publishers/google`, generateContent and
 * streamGenerateContent with `alt=sse`) reuse the Gemini adapter's translation; Claude models
 * (`publishers/anthropic`, rawPredict and streamRawPredict) reuse the Anthropic adapter's, with the body Vertex
 * wants: no `model` (it is in the URL) and `anthropic_version: "vertex-2023-10-16"`. Requests authenticate with a
 * Vertex API key (`api_key`), or with a service account's OAuth2 token, added by the signer in the transport.
 */
import type { ChatRequest } from '../openai-types';
import type { ProviderAdapter, ProviderSettings, UpstreamCall } from '../types';
import { providerHeaders } from '../request-headers';
import { UpstreamFailure } from '../../upstream/http-spec';
import { parseAnthropicError } from '../anthropic/errors';
import { toAnthropicRequest } from '../anthropic/request';
import { anthropicMessageToCompletion } from '../anthropic/response';
import { AnthropicStreamTranslator } from '../anthropic/stream';
import type { AnthropicMessage } from '../anthropic/wire-types';
import { parseGeminiError } from '../gemini/errors';
import { toGeminiRequest } from '../gemini/request';
import { geminiResponseToCompletion } from '../gemini/response';
import { GeminiStreamTranslator } from '../gemini/stream';
import type { GeminiResponse } from '../gemini/wire-types';
import { ServiceAccountTokenSource } from './service-account';
import { MissingCredentialsSigner, VertexTokenSigner } from './signer';

/** The `anthropic_version` Claude on Vertex requires in the body. */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';
export const VERTEX_DEFAULT_REGION = 'global';

type Publisher = 'google' | 'anthropic';

/**
 * The provider's `region` (or `location`), from the config only: the URL's host and path must agree on it.
 *
 * @example vertexRegion({ region: 'europe-west4' }) // 'europe-west4'
 */
export function vertexRegion(options: Record<string, unknown>): string {
  for (const v of [options.region, options.location]) if (typeof v === 'string' && v) return v;
  return VERTEX_DEFAULT_REGION;
}

/** @example vertexHost('global') // 'aiplatform.googleapis.com'; vertexHost('us-east5') // 'us-east5-aiplatform.googleapis.com' */
export function vertexHost(region: string): string {
  return region === 'global' ? 'aiplatform.googleapis.com' : `${region}-aiplatform.googleapis.com`;
}

/** Claude models are Anthropic's on Vertex; everything else is Google's. @example publisherOf('claude-sonnet-4-5@20250929') // 'anthropic' */
export function publisherOf(model: string): Publisher {
  return /^claude/i.test(model) ? 'anthropic' : 'google';
}

/**
 * The model's URL. Without a project (API-key "express mode") Gemini is addressed by publisher alone.
 *
 * @example vertexEndpoint('https://aiplatform.googleapis.com/v1', { project: 'acme' }, 'gemini-2.5-flash', false)
 * // 'https://aiplatform.googleapis.com/v1/projects/acme/locations/global/publishers/google/models/gemini-2.5-flash:generateContent'
 */
export function vertexEndpoint(baseUrl: string, options: Record<string, unknown>, model: string, stream: boolean): string {
  const publisher = publisherOf(model);
  const project = typeof options.project === 'string' && options.project ? options.project : undefined;
  const method = publisher === 'anthropic' ? (stream ? 'streamRawPredict' : 'rawPredict') : stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  const scope = project ? `/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(vertexRegion(options))}` : '';
  return `${baseUrl}${scope}/publishers/${publisher}/models/${encodeURIComponent(model)}:${method}`;
}

function label(provider: ProviderSettings | undefined): string {
  return provider ? `Vertex AI provider "${provider.name}"` : 'Vertex AI';
}

function badAnswer(call: UpstreamCall, what: string): UpstreamFailure {
  return new UpstreamFailure({
    status: 502,
    type: 'upstream_error',
    code: 'bad_upstream_response',
    retryable: true,
    message: `${label(call.provider)} answered ${what}.`,
  });
}

/**
 * @example
 * vertexAdapter.buildChatRequest({ model: 'claude-sonnet-4-5@20250929', messages }, call)
 * // POST https://aiplatform.googleapis.com/v1/projects/acme/locations/global/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict
 */
export const vertexAdapter: ProviderAdapter = {
  api: 'vertex',

  baseUrlFor(options) {
    return `https://${vertexHost(vertexRegion(options))}/v1`;
  },

  authHeaders(provider): Record<string, string> {
    return provider.apiKey ? { 'x-goog-api-key': provider.apiKey } : {};
  },

  createSigner(provider, context) {
    if (provider.apiKey) return undefined;
    const file =
      typeof provider.options.credentials_file === 'string' && provider.options.credentials_file
        ? provider.options.credentials_file
        : context.env.GOOGLE_APPLICATION_CREDENTIALS;
    if (!file) {
      return new MissingCredentialsSigner(
        `${label(provider)} has no credentials: set api_key, credentials_file (a service-account key file) or GOOGLE_APPLICATION_CREDENTIALS.`,
      );
    }
    return new VertexTokenSigner(new ServiceAccountTokenSource(file, context.now, label(provider)));
  },

  buildChatRequest(body: ChatRequest, call: UpstreamCall) {
    const model = body.model || call.model;
    let payload: Record<string, unknown>;
    if (publisherOf(model) === 'anthropic') {
      // Vertex takes the model from the URL and refuses it in the body.
      const { model: _inUrl, ...rest } = toAnthropicRequest({ ...body, model, stream: call.stream }, call.provider);
      payload = { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest };
    } else {
      payload = { ...toGeminiRequest(body, call.provider) };
    }
    return {
      method: 'POST',
      url: vertexEndpoint(call.provider.baseUrl, call.provider.options, model, call.stream),
      headers: providerHeaders(call.provider, call.stream, vertexAdapter.authHeaders),
      body: JSON.stringify(payload),
    };
  },

  parseChatResponse(json: unknown, call: UpstreamCall) {
    if (publisherOf(call.model) === 'anthropic') {
      const msg = json as Partial<AnthropicMessage> | null;
      if (!msg || typeof msg !== 'object' || msg.type !== 'message' || !Array.isArray(msg.content))
        throw badAnswer(call, 'with something that is not a message');
      return anthropicMessageToCompletion(msg as AnthropicMessage);
    }
    const res = json as GeminiResponse | null;
    if (!res || typeof res !== 'object' || (!Array.isArray(res.candidates) && !res.promptFeedback)) throw badAnswer(call, 'without candidates');
    return geminiResponseToCompletion(res, call.model);
  },

  createStreamTranslator(call: UpstreamCall) {
    return publisherOf(call.model) === 'anthropic'
      ? new AnthropicStreamTranslator(label(call.provider))
      : new GeminiStreamTranslator(label(call.provider), call.model);
  },

  parseError(status, bodyText, headers, provider: ProviderSettings) {
    // Claude's own errors pass through Vertex in Anthropic's shape; Vertex's (auth, quota, routing) are Google's.
    let anthropicShaped: boolean;
    try {
      anthropicShaped = (JSON.parse(bodyText) as { type?: unknown } | null)?.type === 'error';
    } catch {
      anthropicShaped = false;
    }
    return anthropicShaped ? parseAnthropicError(status, bodyText, headers, label(provider)) : parseGeminiError(status, bodyText, headers, label(provider));
  },
};
