/**
 * /v1/completions sent natively to an OpenAI-compatible backend's own `/completions`: the legacy request as
 * the client sent it (with the sampling fields plugins may have changed on the chat body), and its answers
 * read into the chat shapes the gateway routes and accounts in, `logprobs` kept on each choice.
 */
import { dropParams, OpenAIStreamTranslator } from '../providers/openai';
import type { ChatCompletion, ChatCompletionChunk, FinishReason } from '../providers/openai-types';
import { providerHeaders } from '../providers/request-headers';
import type { ProviderAdapter, StreamTranslator, UpstreamCall } from '../providers/types';
import { UpstreamFailure, type SseEvent } from '../upstream/http-spec';
import { LEGACY_COMPLETION, type BridgedChatRequest, type LegacyCompletionRequest } from './legacy-request';

/** The `api:` values whose backends serve OpenAI's /completions. */
export const NATIVE_COMPLETIONS_APIS = new Set(['openai']);

/** Chat-body fields that win over the legacy request's: the ones a plugin's onRequest may have changed. */
const FROM_CHAT_BODY = ['model', 'max_tokens', 'temperature', 'top_p', 'n', 'stop', 'user', 'seed', 'presence_penalty', 'frequency_penalty'] as const;

/**
 * @example nativeCompletionBody({ model: 'gpt-3.5-turbo-instruct', messages, [LEGACY_COMPLETION]: legacy }, call)
 * // { ...legacy, model: 'gpt-3.5-turbo-instruct' }
 */
export function nativeCompletionBody(body: BridgedChatRequest, call: UpstreamCall): Record<string, unknown> {
  const legacy: LegacyCompletionRequest = body[LEGACY_COMPLETION] ?? { model: body.model, prompt: '' };
  const out: Record<string, unknown> = { ...legacy };
  delete out.fallbacks;
  for (const field of FROM_CHAT_BODY) {
    if (body[field] !== undefined) out[field] = body[field];
  }
  if (call.stream) {
    out.stream = true;
    // Usage is what cost accounting needs; the route hides the usage chunk from clients that did not ask.
    out.stream_options = { ...(legacy.stream_options ?? {}), include_usage: true };
  } else {
    delete out.stream;
    delete out.stream_options;
  }
  return dropParams(out, call.provider.dropParams);
}

function badAnswer(provider: string, what: string): UpstreamFailure {
  return new UpstreamFailure({
    status: 502,
    type: 'upstream_error',
    code: 'bad_upstream_response',
    retryable: true,
    message: `Provider "${provider}" ${what}.`,
  });
}

interface LegacyChoice {
  text?: unknown;
  index?: unknown;
  logprobs?: unknown;
  finish_reason?: unknown;
}

function chatChoice(c: LegacyChoice, position: number) {
  return {
    index: typeof c.index === 'number' ? c.index : position,
    text: typeof c.text === 'string' ? c.text : '',
    logprobs: c.logprobs ?? null,
    finish_reason: (typeof c.finish_reason === 'string' ? c.finish_reason : null) as FinishReason,
  };
}

/**
 * @example textCompletionToChat({ id: 'cmpl-1', object: 'text_completion', created: 1, model: 'm', choices: [{ text: 'hi', index: 0, finish_reason: 'stop' }] }, 'p')
 * // { id: 'cmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, … }] }
 */
export function textCompletionToChat(json: unknown, provider: string): ChatCompletion {
  const obj = json as { id?: unknown; created?: unknown; model?: unknown; choices?: unknown; usage?: unknown; system_fingerprint?: unknown } | null;
  if (!obj || typeof obj !== 'object' || !Array.isArray(obj.choices)) throw badAnswer(provider, 'answered /completions without choices');
  const out: ChatCompletion = {
    id: typeof obj.id === 'string' ? obj.id : 'cmpl-native',
    object: 'chat.completion',
    created: typeof obj.created === 'number' ? obj.created : Math.floor(Date.now() / 1000),
    model: typeof obj.model === 'string' ? obj.model : '',
    choices: (obj.choices as LegacyChoice[]).map((c, i) => {
      const { index, text, logprobs, finish_reason } = chatChoice(c ?? {}, i);
      return { index, message: { role: 'assistant', content: text }, finish_reason, logprobs };
    }),
  };
  if (obj.usage && typeof obj.usage === 'object') out.usage = obj.usage as ChatCompletion['usage'];
  if (typeof obj.system_fingerprint === 'string') out.system_fingerprint = obj.system_fingerprint;
  return out;
}

/** A legacy stream's chunks as chat chunks (the OpenAI translator's checks and [DONE] handling first). */
class TextCompletionStreamTranslator implements StreamTranslator {
  private readonly inner: OpenAIStreamTranslator;
  constructor(providerName: string) {
    this.inner = new OpenAIStreamTranslator(providerName);
  }
  get done(): boolean {
    return this.inner.done;
  }
  push(event: SseEvent): ChatCompletionChunk[] {
    return this.inner.push(event).map((chunk) => ({
      ...chunk,
      object: 'chat.completion.chunk',
      choices: (chunk.choices as LegacyChoice[]).map((c, i) => {
        const { index, text, logprobs, finish_reason } = chatChoice(c ?? {}, i);
        return { index, delta: text ? { content: text } : {}, finish_reason, logprobs };
      }),
    }));
  }
}

/**
 * The provider's adapter with chat swapped for /completions (everything else, errors included, is its own).
 *
 * @example callChat({ ...provider, adapter: nativeCompletionsAdapter(provider.adapter) }, body, call, signal, timing)
 */
export function nativeCompletionsAdapter(base: ProviderAdapter): ProviderAdapter {
  return {
    ...base,
    buildChatRequest(body, call) {
      return {
        method: 'POST',
        url: `${call.provider.baseUrl}/completions`,
        headers: providerHeaders(call.provider, call.stream, base.authHeaders),
        body: JSON.stringify(nativeCompletionBody(body as BridgedChatRequest, call)),
      };
    },
    parseChatResponse: (json, call) => textCompletionToChat(json, call.provider.name),
    createStreamTranslator: (call) => new TextCompletionStreamTranslator(call.provider.name),
  };
}
