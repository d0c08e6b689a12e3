/**
 * The `gemini` adapter: Google's Gemini API (generateContent, streamGenerateContent with `alt=sse`) behind the
 * OpenAI chat API. Endpoint and headers live here; the translation lives in request.ts, response.ts,
 * stream.ts and errors.ts.
 */
import type { ChatRequest, EmbeddingsRequest } from '../openai-types';
import { geminiEmbeddingsToOpenAI, toGeminiEmbedRequest } from './embeddings';
import type { ProviderAdapter, ProviderSettings, UpstreamCall } from '../types';
import { providerHeaders } from '../request-headers';
import { UpstreamFailure } from '../../upstream/http-spec';
import { parseGeminiError } from './errors';
import { toGeminiRequest } from './request';
import { geminiResponseToCompletion } from './response';
import { GeminiStreamTranslator } from './stream';
import type { GeminiResponse } from './wire-types';

/** The embeddings request of each call, for its answer (the call object lives as long as the attempt). */
const embeddingRequests = new WeakMap<UpstreamCall, EmbeddingsRequest>();

export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';

function label(provider: ProviderSettings | undefined): string {
  return provider ? `Gemini provider "${provider.name}"` : 'Gemini';
}

/**
 * @example geminiEndpoint('https://generativelanguage.googleapis.com/v1beta', 'gemini-2.5-flash', true)
 * // 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'
 */
export function geminiEndpoint(baseUrl: string, model: string, stream: boolean): string {
  const name = model.startsWith('models/') ? model.slice('models/'.length) : model;
  const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return `${baseUrl || GEMINI_DEFAULT_BASE_URL}/models/${encodeURIComponent(name)}:${method}`;
}

/**
 * @example
 * geminiAdapter.buildChatRequest({ model: 'gemini-2.5-flash', messages }, call)
 * // POST …/models/gemini-2.5-flash:generateContent with x-goog-api-key
 */
export const geminiAdapter: ProviderAdapter = {
  api: 'gemini',
  defaultBaseUrl: GEMINI_DEFAULT_BASE_URL,

  authHeaders(provider) {
    return { 'x-goog-api-key': provider.apiKey };
  },

  buildChatRequest(body: ChatRequest, call: UpstreamCall) {
    return {
      method: 'POST',
      url: geminiEndpoint(call.provider.baseUrl, body.model || call.model, call.stream),
      headers: providerHeaders(call.provider, call.stream, geminiAdapter.authHeaders),
      body: JSON.stringify(toGeminiRequest(body, call.provider)),
    };
  },

  parseChatResponse(json: unknown, call: UpstreamCall) {
    const res = json as GeminiResponse | null;
    if (!res || typeof res !== 'object' || (!Array.isArray(res.candidates) && !res.promptFeedback)) {
      throw new UpstreamFailure({
        status: 502,
        type: 'upstream_error',
        code: 'bad_upstream_response',
        retryable: true,
        message: `${label(call.provider)} answered without candidates.`,
      });
    }
    return geminiResponseToCompletion(res, call.model);
  },

  createStreamTranslator(call: UpstreamCall) {
    return new GeminiStreamTranslator(label(call.provider), call.model);
  },

  buildEmbeddingsRequest(body: EmbeddingsRequest, call: UpstreamCall) {
    const name = call.model.startsWith('models/') ? call.model.slice('models/'.length) : call.model;
    // The request is kept for the answer: Gemini echoes neither the model nor the encoding asked for.
    embeddingRequests.set(call, { ...body, model: name });
    return {
      method: 'POST',
      url: `${call.provider.baseUrl || GEMINI_DEFAULT_BASE_URL}/models/${encodeURIComponent(name)}:batchEmbedContents`,
      headers: providerHeaders(call.provider, false, geminiAdapter.authHeaders),
      body: JSON.stringify(toGeminiEmbedRequest({ ...body, model: name })),
    };
  },

  parseEmbeddingsResponse(json: unknown, call: UpstreamCall) {
    const request = embeddingRequests.get(call) ?? { model: call.model, input: [] };
    const out = geminiEmbeddingsToOpenAI(json, request);
    if (!out) {
      throw new UpstreamFailure({
        status: 502,
        type: 'upstream_error',
        code: 'bad_upstream_response',
        retryable: true,
        message: `${label(call.provider)} answered without embeddings.`,
      });
    }
    return out;
  },

  parseError(status, bodyText, headers, provider: ProviderSettings) {
    return parseGeminiError(status, bodyText, headers, label(provider));
  },
};
