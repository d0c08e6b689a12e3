/**
 * POST /v1/completions: OpenAI's legacy text completions, on chat's own lifecycle (routes/chat.ts): the same
 * routing, fallback, retries and plugins, on the chat request the legacy one becomes. Each attempt picks its
 * way: an OpenAI-compatible backend gets the legacy request at its own /completions; any other backend gets the
 * chat request (the prompt as one user message), after the legacy-only fields it cannot serve are refused.
 * Answers and streams go out as `text_completion` objects and chunks.
 */
import type { HttpResponse } from '../http-types';
import { chatChunkToTextChunk, chatToTextCompletion } from '../../completions/legacy-response';
import { checkBridgeable, LEGACY_COMPLETION, legacyToChatRequest, validateLegacyCompletion, type BridgedChatRequest } from '../../completions/legacy-request';
import { NATIVE_COMPLETIONS_APIS, nativeCompletionsAdapter } from '../../completions/native-adapter';
import type { GatewayError } from '../../errors';
import type { ChatCompletionChunk } from '../../providers/openai-types';
import type { ResolvedProvider } from '../../routing/snapshot-types';
import { callChat, openChatStream } from '../../routing/call-target';
import type { EndpointWork } from '../lifecycle';
import { sendError, sendJsonText } from '../send';
import { SseWriter } from '../sse-writer';
import { chatWorkFor, type ChatAnswerFormat, type ChatRunners, type ChunkSink } from './chat';

/** The provider as this attempt should call it: natively at /completions, or bridged to chat (checked first). */
function completionsProvider(provider: ResolvedProvider, body: BridgedChatRequest): ResolvedProvider {
  if (NATIVE_COMPLETIONS_APIS.has(provider.adapter.api)) return { ...provider, adapter: nativeCompletionsAdapter(provider.adapter) };
  const legacy = body[LEGACY_COMPLETION];
  if (legacy) checkBridgeable(legacy, `provider "${provider.name}" (api: ${provider.adapter.api})`);
  return provider;
}

const completionsRunners: ChatRunners = {
  json: (provider, body, call, signal, timing) => callChat(completionsProvider(provider, body), body, call, signal, timing),
  stream: (provider, body, call, signal, timing) => openChatStream(completionsProvider(provider, body), body, call, signal, timing),
};

/** Legacy chunks over OpenAI's SSE; chunks with nothing to say in that shape (a bare role delta) are skipped. */
class TextCompletionSink implements ChunkSink {
  constructor(private readonly sse: SseWriter) {}
  async send(chunk: ChatCompletionChunk): Promise<void> {
    const out = chatChunkToTextChunk(chunk);
    if (out) await this.sse.send(out);
  }
  done(): void {
    this.sse.done();
  }
  fail(err: GatewayError): void {
    this.sse.fail(err);
  }
}

/**
 * The legacy shapes: `text_completion` JSON and chunks; errors in OpenAI's shape.
 *
 * @example chatWorkFor(textCompletionFormat, completionsRunners)
 */
export const textCompletionFormat: ChatAnswerFormat = {
  sendJson: (res: HttpResponse, _ctx, completion, headers) => {
    const text = JSON.stringify(chatToTextCompletion(completion));
    sendJsonText(res, 200, text, headers);
  },
  openStream: (res, _ctx, headers) => new TextCompletionSink(new SseWriter(res, headers)),
  sendError: (res, err, headers) => void sendError(res, err, headers),
};

/**
 * POST /v1/completions.
 *
 * @example runLifecycle(req, res, handle, 'completions', completionsWork)
 */
export const completionsWork: EndpointWork = {
  ...chatWorkFor(textCompletionFormat, completionsRunners),
  parse: (body) => legacyToChatRequest(validateLegacyCompletion(body)),
};
