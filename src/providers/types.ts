/**
 * The contract every provider adapter fulfils. Adapters are pure translation: they build an HTTP request
 * description and turn the provider's answers (JSON, SSE events, errors) into OpenAI shapes. They do no I/O;
 * `src/upstream/` sends what they describe.
 */
import type { HeaderBag, HttpRequestSpec, RequestSigner, SseEvent, StreamDecoder, UpstreamErrorInfo } from '../upstream/http-spec';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingsRequest, EmbeddingsResponse, Usage } from './openai-types';

/** A provider entry from proxy.yaml after env interpolation (see `ProviderConfig` in config/types.ts). */
export interface ProviderSettings {
  /** The provider's name in proxy.yaml, e.g. "deepseek". */
  name: string;
  api: string;
  /** `base_url` without a trailing slash, e.g. "https://api.openai.com/v1". */
  baseUrl: string;
  /** Resolved API key; empty string when none is configured. */
  apiKey: string;
  /** Extra headers sent on every upstream request. */
  headers: Record<string, string>;
  /** Request-body fields removed before sending (for vendors that reject some OpenAI parameters). */
  dropParams: string[];
  /** Adapter-specific settings from the provider entry (e.g. azure's `api_version`, anthropic's `version`). */
  options: Record<string, unknown>;
}

/** One call to one provider: who, which upstream model, which mode. */
export interface UpstreamCall {
  provider: ProviderSettings;
  /** The target's real model name (the deployment name for azure). */
  model: string;
  stream: boolean;
}

/**
 * Turns one upstream stream into OpenAI chunks. Stateful (one instance per stream) because providers spread
 * one logical chunk over several events (Anthropic's content blocks, tool-argument deltas).
 */
export interface StreamTranslator {
  /** Chunks produced by this event (often zero or one). Throws an UpstreamFailure for in-stream error events. */
  push(event: SseEvent): ChatCompletionChunk[];
  /** True once the provider signalled the end of the stream (OpenAI's `[DONE]`, Anthropic's message_stop). */
  readonly done: boolean;
  /**
   * The usage the provider has reported so far, before its final usage chunk (Anthropic's message_start input and
   * cache counts, Gemini's running usageMetadata): what a cut or aborted stream is billed from. Undefined when
   * nothing was reported yet, or when the format reports usage only at the end (OpenAI).
   */
  usageSoFar?(): Usage | undefined;
}

/** What a signer may read: the process environment (AWS and Google credentials) and the time (injected in tests). */
export interface SignerContext {
  env: Readonly<Record<string, string | undefined>>;
  /** ms since the epoch. */
  now(): number;
}

/**
 * A provider adapter.
 *
 * @example
 * const spec = adapter.buildChatRequest({ model: 'gpt-4o-mini', messages }, call);
 * const completion = adapter.parseChatResponse(JSON.parse(body), call);
 */
export interface ProviderAdapter {
  /** The `api:` value that selects this adapter. */
  readonly api: string;
  /** The provider's public endpoint, used when the config gives no `base_url`. */
  readonly defaultBaseUrl?: string;
  /** Headers that authenticate to the provider (used for chat and for /passthrough). */
  authHeaders(provider: ProviderSettings): Record<string, string>;
  /** `body.model` is already the target's upstream model. */
  buildChatRequest(body: ChatRequest, call: UpstreamCall): HttpRequestSpec;
  /**
   * Returns `json` itself when it already is an OpenAI completion: the gateway then relays the upstream's own
   * text. A translated answer must be a new object (never `json` changed in place), or stale text would be sent.
   */
  parseChatResponse(json: unknown, call: UpstreamCall): ChatCompletion;
  createStreamTranslator(call: UpstreamCall): StreamTranslator;
  buildEmbeddingsRequest?(body: EmbeddingsRequest, call: UpstreamCall): HttpRequestSpec;
  /** Like parseChatResponse: `json` itself, or a new object. */
  parseEmbeddingsResponse?(json: unknown, call: UpstreamCall): EmbeddingsResponse;
  /**
   * The endpoint when it depends on the provider entry (Bedrock's `region`, Vertex's `region`): used when the
   * config gives no `base_url`, before `defaultBaseUrl`.
   */
  baseUrlFor?(options: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): string | undefined;
  /**
   * The asynchronous authentication step for this provider's requests, or undefined when `authHeaders` is
   * enough. Made once per config snapshot; the transport runs it just before each send (signing-transport.ts).
   * The only part of an adapter that may do I/O (read a credentials file, fetch a token), and only when called.
   */
  createSigner?(provider: ProviderSettings, context: SignerContext): RequestSigner | undefined;
  /** The decoder of this provider's stream framing; SSE when absent. */
  createStreamDecoder?(call: UpstreamCall): StreamDecoder;
  /** Normalises an upstream error response (status >= 400) or an in-stream error payload. */
  parseError(status: number, bodyText: string, headers: HeaderBag, provider: ProviderSettings): UpstreamErrorInfo;
}
