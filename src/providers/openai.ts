/**
 * The OpenAI adapter: a faithful pass-through for OpenAI and every OpenAI-compatible vendor (DeepSeek, Qwen
 * compatible-mode, Mistral, Groq, Together, Fireworks, xAI, OpenRouter, Ollama, vLLM). Unknown request fields
 * are forwarded untouched; only the provider's `drop_params` are removed.
 */
import { checkStreamChunk } from './chunk-assembly';
import { isPortableToolCallId, portableToolCallId } from './foreign-tool-call-ids';
import type { ChatCompletion, ChatCompletionChunk, ChatMessage, ChatRequest, EmbeddingsRequest, EmbeddingsResponse } from './openai-types';
import { normalisedOpenAIUsage } from './openai-usage';
import { quirksFor } from './presets';
import { providerHeaders } from './request-headers';
import { redactedExcerpt } from '../observability/redact';
import { retryAfterMs } from './retry-after';
import type { ProviderAdapter, StreamTranslator, UpstreamCall } from './types';
import type { HeaderBag, HttpRequestSpec, UpstreamErrorInfo } from '../upstream/http-spec';
import { UpstreamFailure } from '../upstream/http-spec';

/** Removes the provider's unsupported parameters, returning the same object when there is nothing to drop. */
export function dropParams<T extends Record<string, unknown>>(body: T, drop: string[]): T {
  if (drop.length === 0) return body;
  const copy: Record<string, unknown> = { ...body };
  for (const key of drop) delete copy[key];
  return copy as T;
}

/** Fields the gateway adds to assistant messages and tool calls (reasoning from Anthropic or Gemini, signatures). */
const GATEWAY_MESSAGE_FIELDS = ['reasoning_content', 'reasoning_signature', 'reasoning_blocks'];

function needsCleaning(msg: ChatMessage): boolean {
  if (msg.role === 'tool') return typeof msg.tool_call_id === 'string' && !isPortableToolCallId(msg.tool_call_id);
  if (msg.role !== 'assistant') return false;
  if (GATEWAY_MESSAGE_FIELDS.some((f) => msg[f] !== undefined)) return true;
  return (msg.tool_calls ?? []).some((c) => !isPortableToolCallId(c.id) || (c as unknown as Record<string, unknown>).extra_content !== undefined);
}

/**
 * A conversation that went through other providers, made fit for an OpenAI-compatible upstream: reasoning and
 * signatures another provider returned are left out of assistant turns (OpenAI refuses unknown message
 * fields, DeepSeek refuses its own reasoning_content sent back), and tool-call ids OpenAI would refuse (over 40
 * characters) are replaced by short stable ones, for the call and its result alike. Untouched (the same array)
 * when there is nothing to do, the common case.
 *
 * @example toOpenAIMessages([{ role: 'assistant', content: 'Hi', reasoning_content: '…' }]) // [{ role: 'assistant', content: 'Hi' }]
 */
export function toOpenAIMessages(messages: ChatMessage[]): ChatMessage[] {
  if (!messages.some(needsCleaning)) return messages;
  return messages.map((msg) => {
    if (!needsCleaning(msg)) return msg;
    if (msg.role === 'tool') return { ...msg, tool_call_id: portableToolCallId(msg.tool_call_id!) };
    const copy: ChatMessage = { ...msg };
    for (const f of GATEWAY_MESSAGE_FIELDS) delete copy[f];
    if (msg.tool_calls) copy.tool_calls = msg.tool_calls.map((c) => ({ id: portableToolCallId(c.id), type: c.type, function: c.function }));
    return copy;
  });
}

/** OpenAI's reasoning models, the ones that take `reasoning_effort` (others answer 400 to it). */
const REASONING_MODEL = /(^|\/)(o\d|gpt-5)/;

/**
 * The chat body an OpenAI-compatible upstream gets. Anthropic's `thinking`, which the Anthropic front door sends
 * along with its `reasoning_effort` equivalent, is never sent (OpenAI refuses the field); that equivalent is
 * sent to reasoning models only, so a Claude Code request routed to a chat model such as gpt-4o still works.
 */
function toOpenAIChatBody(body: ChatRequest): ChatRequest {
  const messages = toOpenAIMessages(body.messages);
  const fromFrontDoor = body.thinking !== undefined && body.reasoning_effort !== undefined;
  if (messages === body.messages && !fromFrontDoor) return body;
  const out: ChatRequest = { ...body, messages };
  if (fromFrontDoor) {
    delete out.thinking;
    if (!REASONING_MODEL.test(body.model)) delete out.reasoning_effort;
  }
  return out;
}

function jsonRequest(url: string, call: UpstreamCall, body: unknown): HttpRequestSpec {
  return { method: 'POST', url, headers: providerHeaders(call.provider, call.stream, openaiAdapter.authHeaders), body: JSON.stringify(body) };
}

const CONTEXT_LENGTH_HINTS = /context[_ ]length|maximum context|context window|too many tokens|prompt is too long/i;

/**
 * Normalises an error body in OpenAI's shape (also used by OpenAI-compatible vendors, which mostly follow it).
 *
 * @example openaiStyleError(429, '{"error":{"message":"slow down","type":"rate_limit_error"}}', {}, 'deepseek')
 */
export function openaiStyleError(status: number, bodyText: string, headers: HeaderBag, providerName: string): UpstreamErrorInfo {
  let message = redactedExcerpt(bodyText, 500) || `HTTP ${status}`;
  let type = 'upstream_error';
  let code: string | null = null;
  try {
    const parsed = JSON.parse(bodyText) as { error?: { message?: unknown; type?: unknown; code?: unknown } | string; message?: unknown };
    const err = typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : undefined;
    if (err && typeof err.message === 'string') message = err.message;
    else if (typeof parsed.error === 'string') message = parsed.error;
    else if (typeof parsed.message === 'string') message = parsed.message;
    if (err && typeof err.type === 'string') type = err.type;
    if (err && (typeof err.code === 'string' || typeof err.code === 'number')) code = String(err.code);
  } catch {
    // Not JSON (an HTML error page from a load balancer, say): keep the text excerpt.
  }
  const wait = retryAfterMs(headers);
  if (status === 401 || status === 403) {
    return {
      status: 502,
      type: 'upstream_error',
      code: 'upstream_auth_failed',
      message: `Provider "${providerName}" rejected the gateway's credentials (HTTP ${status}). Check its api_key.`,
      retryable: true,
      credentialProblem: true,
    };
  }
  if (code === 'context_length_exceeded' || (status === 400 && CONTEXT_LENGTH_HINTS.test(message))) {
    return { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded', message, retryable: false };
  }
  if (status === 404) {
    // The target's model does not exist upstream (OpenAI's `model_not_found`); another target may have it.
    return { status: 404, type: 'invalid_request_error', code: 'model_not_found', message, retryable: true };
  }
  if (status === 503 || status === 529) {
    return { status: 503, type: 'service_unavailable', code: 'upstream_overloaded', message, retryable: true, retryAfterMs: wait };
  }
  const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
  return { status, type, code, message, retryable, retryAfterMs: wait };
}

/** Translates an OpenAI-format stream: each data event is already a chunk; `[DONE]` ends it. */
export class OpenAIStreamTranslator implements StreamTranslator {
  done = false;
  private readonly chunkQuirk: ((chunk: ChatCompletionChunk, call: UpstreamCall) => ChatCompletionChunk) | undefined;
  constructor(
    private readonly providerName: string,
    private readonly call?: UpstreamCall,
  ) {
    this.chunkQuirk = call ? quirksFor(call.provider)?.chunk : undefined;
  }

  push(event: { data: string }): ChatCompletionChunk[] {
    if (event.data === '[DONE]') {
      this.done = true;
      return [];
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.data);
    } catch {
      throw new UpstreamFailure({
        status: 502,
        type: 'upstream_error',
        code: 'bad_upstream_stream',
        message: `Provider "${this.providerName}" sent an unreadable stream event.`,
        retryable: true,
      });
    }
    const obj = parsed as Partial<ChatCompletionChunk> & { error?: unknown };
    if (obj.error !== undefined) {
      throw new UpstreamFailure(openaiStyleError(500, event.data, {}, this.providerName));
    }
    if (!Array.isArray(obj.choices)) {
      throw new UpstreamFailure({
        status: 502,
        type: 'upstream_error',
        code: 'bad_upstream_stream',
        message: `Provider "${this.providerName}" sent a stream event without choices.`,
        retryable: true,
      });
    }
    // The upstream's indexes travel on unchanged: refuse hostile ones here, before the gateway commits to this target.
    checkStreamChunk(obj as ChatCompletionChunk);
    const usage = normalisedOpenAIUsage(obj.usage);
    const chunk = usage ? ({ ...obj, usage } as ChatCompletionChunk) : (obj as ChatCompletionChunk);
    return [this.chunkQuirk ? this.chunkQuirk(chunk, this.call!) : chunk];
  }
}

/**
 * @example registry.openai.buildChatRequest({ model: 'gpt-4o-mini', messages: [...] }, call)
 */
export const openaiAdapter: ProviderAdapter = {
  api: 'openai',

  authHeaders(provider): Record<string, string> {
    return provider.apiKey ? { authorization: `Bearer ${provider.apiKey}` } : {};
  },

  buildChatRequest(body: ChatRequest, call: UpstreamCall) {
    let out: ChatRequest = toOpenAIChatBody(dropParams(body, call.provider.dropParams));
    // A preset vendor's own request rules (presets/): Mistral's tool-call ids, DashScope's thinking switch…
    const quirks = quirksFor(call.provider);
    if (quirks?.request) out = quirks.request(out, call);
    if (call.stream && !call.provider.dropParams.includes('stream_options')) {
      // Always ask for the usage chunk: cost and token accounting need it. The router hides it from clients
      // that did not ask for it themselves.
      out = { ...out, stream_options: out.stream_options ? { ...out.stream_options, include_usage: true } : { include_usage: true } };
    }
    return jsonRequest(`${call.provider.baseUrl}/chat/completions`, call, out);
  },

  parseChatResponse(json: unknown, call: UpstreamCall) {
    const obj = json as Partial<ChatCompletion> | null;
    if (!obj || typeof obj !== 'object' || !Array.isArray(obj.choices)) {
      throw new UpstreamFailure({
        status: 502,
        type: 'upstream_error',
        code: 'bad_upstream_response',
        message: `Provider "${call.provider.name}" answered without choices.`,
        retryable: true,
      });
    }
    // A vendor's own usage fields (DeepSeek's cache counts) make a new object, so the text is written afresh.
    const usage = normalisedOpenAIUsage(obj.usage);
    const completion = usage ? ({ ...obj, usage } as ChatCompletion) : (obj as ChatCompletion);
    const quirk = quirksFor(call.provider)?.response;
    return quirk ? quirk(completion, call) : completion;
  },

  createStreamTranslator(call: UpstreamCall) {
    return new OpenAIStreamTranslator(call.provider.name, call);
  },

  buildEmbeddingsRequest(body: EmbeddingsRequest, call: UpstreamCall) {
    return jsonRequest(`${call.provider.baseUrl}/embeddings`, call, dropParams(body, call.provider.dropParams));
  },

  parseEmbeddingsResponse(json: unknown, call: UpstreamCall) {
    const obj = json as Partial<EmbeddingsResponse> | null;
    if (!obj || !Array.isArray(obj.data)) {
      throw new UpstreamFailure({
        status: 502,
        type: 'upstream_error',
        code: 'bad_upstream_response',
        message: `Provider "${call.provider.name}" answered without embeddings.`,
        retryable: true,
      });
    }
    return obj as EmbeddingsResponse;
  },

  parseError(status, bodyText, headers, provider) {
    return openaiStyleError(status, bodyText, headers, provider.name);
  },
};
