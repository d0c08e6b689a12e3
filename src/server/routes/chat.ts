/**
 * POST /v1/chat/completions: JSON or `stream: true`. Streams are relayed chunk by chunk as they arrive, never
 * buffered; the gateway commits to a target only once its first chunk arrived, so a failure before that
 * fails over invisibly.
 */
import type { HttpResponse } from '../http-types';
import type { RuntimeSnapshot } from '../../routing/snapshot-types';
import { asGatewayError, errors, type GatewayError } from '../../errors';
import { clientAbortOf } from '../../pipeline/client-abort';
import type { DirectAnswer, RequestContext, RequestOutcome } from '../../pipeline/types';
import { completionToChunks, DEFAULT_MAX_ASSEMBLED_CHARS, keptStreamText, StreamAssembler } from '../../providers/chunk-assembly';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, Usage } from '../../providers/openai-types';
import { AttemptFailure, callChat, openChatStream, streamRouting, type OpenedStream, type ParsedAnswer } from '../../routing/call-target';
import { unfinishedStreamUsage } from '../../pricing/estimate-stream-usage';
import type { AttemptRunner } from '../../routing/route';
import { routeAttempts } from '../../routing/route';
import { routingRequest, servedHeaders, type EndpointWork } from '../lifecycle';
import { validateBody } from '../request-schemas';
import { sendError, sendJsonText } from '../send';
import { SseWriter } from '../sse-writer';

/** Where streamed chunks go: OpenAI SSE by default (SseWriter), Anthropic events for the front door. */
export interface ChunkSink {
  send(chunk: ChatCompletionChunk): Promise<void>;
  done(): void;
  /** The stream failed after it started. */
  fail(err: GatewayError): void;
}

/**
 * How a chat answer is written to the client. The routing, plugins and accounting are the same whatever the
 * format; only the wire shape differs (OpenAI here, Anthropic in routes/messages.ts).
 */
export interface ChatAnswerFormat {
  /**
   * Writes the answer; returns the completion as JSON text when that is what it wrote (OpenAI's format).
   * `upstreamJson` is the upstream's own text of `completion`, when it is already in OpenAI's format.
   */
  sendJson(res: HttpResponse, ctx: RequestContext, completion: ChatCompletion, headers: Record<string, string>, upstreamJson?: string): string | void;
  openStream(res: HttpResponse, ctx: RequestContext, headers: Record<string, string>): ChunkSink;
  sendError(res: HttpResponse, err: GatewayError, headers: Record<string, string>): void;
}

/** OpenAI's JSON and SSE shapes: what /v1/chat/completions answers with. */
export const openAIChatFormat: ChatAnswerFormat = {
  sendJson: (res, _ctx, completion, headers, upstreamJson) => {
    const text = upstreamJson ?? JSON.stringify(completion);
    sendJsonText(res, 200, text, headers);
    return text;
  },
  openStream: (res, _ctx, headers) => new SseWriter(res, headers),
  sendError: (res, err, headers) => void sendError(res, err, headers),
};

function clientWantsUsage(ctx: RequestContext): boolean {
  return (ctx.body as ChatRequest).stream_options?.include_usage === true;
}

/** Writes chunks through the plugins' onStreamChunk, hiding the usage chunk from clients that did not ask for it. */
async function relayChunk(
  ctx: RequestContext,
  snapshot: RuntimeSnapshot,
  sse: ChunkSink,
  assembler: StreamAssembler,
  chunk: ChatCompletionChunk,
  wantsUsage: boolean,
): Promise<void> {
  assembler.add(chunk);
  if (!wantsUsage && chunk.choices.length === 0 && chunk.usage) return;
  const out = snapshot.pipeline.onStreamChunk(ctx, chunk);
  if (out) await sse.send(out);
}

/**
 * The attempt runners of a chat-shaped endpoint: chat's own, or another endpoint's (legacy completions) that
 * answers in chat shapes.
 */
export interface ChatRunners {
  json: AttemptRunner<ChatRequest, ParsedAnswer<ChatCompletion>>;
  stream: AttemptRunner<ChatRequest, OpenedStream>;
}

const CHAT_RUNNERS: ChatRunners = { json: callChat, stream: openChatStream };

async function serveJson(
  ctx: RequestContext,
  res: HttpResponse,
  snapshot: RuntimeSnapshot,
  format: ChatAnswerFormat,
  runners: ChatRunners = CHAT_RUNNERS,
): Promise<RequestOutcome> {
  const { alias, fallbacks } = routingRequest(snapshot, ctx);
  const routed = await routeAttempts<ChatRequest, ParsedAnswer<ChatCompletion>>(ctx, snapshot, alias, runners.json, { fallbacks });
  ctx.servedBy = { alias: routed.alias, provider: routed.provider.name, model: routed.model };
  let completion = routed.value.body;
  ctx.usage = completion.usage;
  if (completion.usage && snapshot.pipeline.has('onUsage')) snapshot.pipeline.onUsage(ctx, completion.usage, completion.model);
  // The upstream's text goes out as it came (no second serialisation) unless a plugin may change the answer.
  let upstreamJson = routed.value.json;
  if (snapshot.pipeline.has('onResponse')) {
    completion = await snapshot.pipeline.onResponse(ctx, completion);
    upstreamJson = undefined;
  }
  const responseJson = format.sendJson(res, ctx, completion, servedHeaders(ctx), upstreamJson) ?? undefined;
  return { status: 200, response: completion, responseJson, completed: true, usage: completion.usage, latencyMs: performance.now() - ctx.startedMono };
}

/**
 * The usage a stream ends with. The provider's final usage chunk when it came (even if the stream was cut after
 * it); otherwise what the provider reported before the end plus an estimate of the output relayed, marked with
 * the `usageEstimated` request variable: the provider bills a stream it was cut off from, so must the gateway.
 */
function finalStreamUsage(ctx: RequestContext, assembler: StreamAssembler, stream: OpenedStream): Usage {
  const final = assembler.usageSoFar;
  if (final) return final;
  ctx.set('usageEstimated', true);
  ctx.logField('usage_estimated', true);
  return unfinishedStreamUsage(stream.usageSoFar(), assembler.relayed(), ctx.body as ChatRequest);
}

async function serveStream(
  ctx: RequestContext,
  res: HttpResponse,
  snapshot: RuntimeSnapshot,
  format: ChatAnswerFormat,
  runners: ChatRunners = CHAT_RUNNERS,
): Promise<RequestOutcome> {
  const { alias, fallbacks } = routingRequest(snapshot, ctx);
  const routed = await routeAttempts(ctx, snapshot, alias, runners.stream, streamRouting(fallbacks));
  ctx.servedBy = { alias: routed.alias, provider: routed.provider.name, model: routed.model };
  const sse = format.openStream(res, ctx, servedHeaders(ctx));
  const assembler = new StreamAssembler(DEFAULT_MAX_ASSEMBLED_CHARS, {
    budget: keptStreamText,
    limit: snapshot.config.server.max_kept_stream_text_mb * 1024 * 1024,
  });
  const wantsUsage = clientWantsUsage(ctx);
  const stream = routed.value;
  try {
    for (const chunk of stream.first) await relayChunk(ctx, snapshot, sse, assembler, chunk, wantsUsage);
    for await (const batch of stream.rest) {
      for (const chunk of batch) await relayChunk(ctx, snapshot, sse, assembler, chunk, wantsUsage);
    }
  } catch (err) {
    stream.cancel();
    ctx.usage = finalStreamUsage(ctx, assembler, stream);
    if (clientAbortOf(ctx).aborted) {
      // The client left; the upstream request was aborted with it. Nothing to write.
      return { status: 499, completed: false, usage: ctx.usage, latencyMs: performance.now() - ctx.startedMono };
    }
    const failure = err instanceof AttemptFailure ? errors.upstreamStreamFailed(err.message) : asGatewayError(err);
    ctx.log.warn('stream failed after first byte', { request_id: ctx.id, provider: routed.provider.name, error: failure.message });
    await snapshot.pipeline.onError(ctx, failure);
    sse.fail(failure);
    return { status: 200, completed: false, error: failure, usage: ctx.usage, latencyMs: performance.now() - ctx.startedMono };
  } finally {
    // The kept text goes back to the process-wide budget once the stream is over; what it became lives on only
    // in the outcome, for the few steps until onComplete.
    assembler.release();
  }
  sse.done();
  const { completion: response, truncated } = assembler.result();
  // A provider that sent no usage at all (some OpenAI-compatible vendors ignore include_usage) is estimated too.
  ctx.usage = response.usage ?? finalStreamUsage(ctx, assembler, stream);
  return { status: 200, response, completed: true, ...(truncated ? { truncated } : {}), usage: ctx.usage, latencyMs: performance.now() - ctx.startedMono };
}

/** A plugin answered (cache hit): JSON as is, or replayed as a stream. */
async function answerDirect(
  ctx: RequestContext,
  res: HttpResponse,
  direct: DirectAnswer,
  snapshot: RuntimeSnapshot,
  format: ChatAnswerFormat,
): Promise<RequestOutcome> {
  const completion = direct.respond;
  ctx.usage ??= completion.usage;
  if (!ctx.stream) {
    if (completion.usage && snapshot.pipeline.has('onUsage')) snapshot.pipeline.onUsage(ctx, completion.usage, completion.model);
    format.sendJson(res, ctx, completion, servedHeaders(ctx));
  } else {
    const sse = format.openStream(res, ctx, servedHeaders(ctx));
    for (const chunk of completionToChunks(completion, { includeUsage: clientWantsUsage(ctx) })) {
      const out = snapshot.pipeline.onStreamChunk(ctx, chunk);
      if (out) await sse.send(out);
    }
    sse.done();
  }
  return { status: 200, response: completion, completed: true, usage: completion.usage, latencyMs: performance.now() - ctx.startedMono };
}

/**
 * The chat endpoint's work, answering in the given format.
 *
 * @example runLifecycle(req, res, handle, 'messages', chatWorkFor(anthropicMessagesFormat))
 */
export function chatWorkFor(format: ChatAnswerFormat, runners: ChatRunners = CHAT_RUNNERS): EndpointWork {
  return {
    body: 'json',
    validate: (body) => validateBody('chat', body),
    answerDirect: (ctx, res, direct, snapshot) => answerDirect(ctx, res, direct, snapshot, format),
    serve: (ctx, res, snapshot) => (ctx.stream ? serveStream(ctx, res, snapshot, format, runners) : serveJson(ctx, res, snapshot, format, runners)),
    sendError: format.sendError,
  };
}

export const chatWork: EndpointWork = chatWorkFor(openAIChatFormat);
