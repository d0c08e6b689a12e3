/**
 * POST /v1/responses: the Responses API for every backend. The request is checked (src/responses/validate.ts),
 * its stored conversation loaded (previous_response_id, item_reference), and it becomes a chat request, so
 * routing, fallbacks, retries, hedging and the plugins (auth, limits, cache, cost) treat it as they treat chat.
 * Each attempt then either sends it natively to a Responses backend (`responses: native`) or through the
 * target's chat adapter; the answer is written as a Response object or as Responses stream events, and stored
 * for the next turn unless `store: false`.
 */
import type { HttpResponse } from '../http-types';
import type { ResolvedAlias, ResolvedProvider, RuntimeSnapshot } from '../../routing/snapshot-types';
import { asGatewayError, errors, type GatewayError } from '../../errors';
import { clientAbortOf } from '../../pipeline/client-abort';
import type { DirectAnswer, RequestContext, RequestOutcome } from '../../pipeline/types';
import { completionToChunks, DEFAULT_MAX_ASSEMBLED_CHARS, keptStreamText, StreamAssembler } from '../../providers/chunk-assembly';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../providers/openai-types';
import type { UpstreamCall } from '../../providers/types';
import { AttemptFailure, callChat, fetchJson, openChatStream, openEventStream, type AttemptTiming, type OpenedEventStream } from '../../routing/call-target';
import { routeAttempts, type Routed } from '../../routing/route';
import type { AnswerLifecycle } from '../../routing/try-target';
import type { HttpRequestSpec } from '../../upstream/http-spec';
import type { AbortSource } from '../../upstream/abort-flag';
import { bridgeRefusal } from '../../responses/bridge-limits';
import { resolveItemReferences, withItemIds } from '../../responses/conversation';
import { conversationBefore } from '../../responses/store/conversation';
import { newResponseId } from '../../responses/ids';
import {
  isNativeResponses,
  NativeEventRelay,
  nativeJsonResponse,
  nativeResponsesBody,
  nativeResponsesRequest,
  responseToCompletion,
} from '../../responses/native';
import { NativeStreamChunks, withCompletionChanges } from '../../responses/native-plugins';
import { responsesToChatRequest } from '../../responses/request';
import { responseForClient, wantsEncryptedReasoning } from '../../responses/sealed-reasoning';
import { completionToResponse, type ResponseFrame } from '../../responses/response';
import { responseOwner, responseStoreFor } from '../../responses/store/for-snapshot';
import type { ResponseStore } from '../../responses/store/types';
import { ChunksToResponseEvents, formatResponsesEvent } from '../../responses/stream';
import type { ResponseItem, ResponseObject, ResponsesRequest, ResponsesStreamEvent } from '../../responses/types';
import { validateResponsesRequest } from '../../responses/validate';
import { routingRequest, servedHeaders, type EndpointWork } from '../lifecycle';
import { finalStreamUsage } from '../stream-usage';
import { headerList, sendJson } from '../send';
import { SSE_HEADERS, writable } from '../sse-writer';

/** One Responses turn, as prepared before the plugins see the request. */
interface ResponsesTurn {
  frame: ResponseFrame;
  /** The earlier turns' items (previous_response_id's chain), oldest first. */
  history: ResponseItem[];
  /** This turn's input, item references resolved. */
  input: ResponseItem[];
  store: ResponseStore;
  owner: string | null;
  /** What a backend reached through chat could not do with this request; undefined when it can do all of it. */
  refusal: GatewayError | undefined;
}

declare module '../../plugin-api' {
  interface RequestVariables {
    /** The Responses turn a /v1/responses request is serving (set before onRequest). */
    responsesTurn: ResponsesTurn;
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function turnOf(ctx: RequestContext): ResponsesTurn {
  const turn = ctx.get('responsesTurn');
  if (!turn) throw new Error('the Responses turn was not prepared');
  return turn;
}

/** Loads the conversation and swaps the Responses body for the chat request everything after this reads. */
async function prepare(ctx: RequestContext, snapshot: RuntimeSnapshot): Promise<void> {
  const request = ctx.body as unknown as ResponsesRequest;
  const store = responseStoreFor(snapshot);
  const owner = responseOwner(ctx);
  const history = request.previous_response_id ? await conversationBefore(store, request.previous_response_id, owner) : [];
  const input = await resolveItemReferences(request.input, store, owner);
  const frame: ResponseFrame = { id: newResponseId(), createdAt: Math.floor(ctx.startedAt / 1000), request, model: request.model };
  const refusal = bridgeRefusal(request, [...history, ...input], history.length);
  ctx.set('responsesTurn', { frame, history, input, store, owner, refusal });
  ctx.body = responsesToChatRequest({ ...request, input }, history);
}

/** Keeps the turn for previous_response_id, before the client can see the answer (it may ask for the next turn at once). */
async function keep(ctx: RequestContext, turn: ResponsesTurn, response: ResponseObject): Promise<void> {
  if (turn.frame.request.store === false) return;
  try {
    await turn.store.put({
      id: turn.frame.id,
      owner: turn.owner,
      createdAt: turn.frame.createdAt * 1000,
      previousResponseId: turn.frame.request.previous_response_id ?? null,
      instructions: turn.frame.request.instructions ?? null,
      inputItems: withItemIds(turn.input, turn.frame.id),
      response,
    });
  } catch (err) {
    // The answer is still the client's; only its continuation by previous_response_id will not find it.
    ctx.log.error('storing a response failed', { request_id: ctx.id, response_id: turn.frame.id, error: (err as Error)?.message ?? String(err) });
  }
}

/** A request no target can serve as asked is refused before any attempt, with the field it names. */
function refuseEarly(snapshot: RuntimeSnapshot, alias: ResolvedAlias, turn: ResponsesTurn): void {
  if (!turn.refusal) return;
  const anyNative = alias.targets.some((t) => {
    const p = snapshot.providers.get(t.provider);
    return p !== undefined && isNativeResponses(p);
  });
  if (!anyNative) throw turn.refusal;
}

/** A bridged target among native ones that cannot do the request: refused, so routing tries the next target. */
function bridgedRefusal(turn: ResponsesTurn): AttemptFailure {
  const e = turn.refusal!;
  return new AttemptFailure('refused', { status: e.status, type: e.type, code: e.code, message: e.message, retryable: true });
}

function nativeBody(provider: ResolvedProvider, turn: ResponsesTurn, call: UpstreamCall): Record<string, unknown> {
  return nativeResponsesBody(turn.frame.request, [...turn.history, ...turn.input], call.model, provider.settings.dropParams);
}

/** What one attempt got: a native backend's answer, or a chat adapter's. */
type TurnAnswer<N, C> = { native: N } | { chat: C };

/** How an attempt reaches its target, for a JSON answer or a stream: natively, or through the target's chat adapter. */
interface TurnCalls<N, C> {
  native(provider: ResolvedProvider, spec: () => HttpRequestSpec, signal: AbortSource, timing: AttemptTiming): Promise<N>;
  chat(provider: ResolvedProvider, body: ChatRequest, call: UpstreamCall, signal: AbortSource, timing: AttemptTiming): Promise<C>;
}

/**
 * Routes the turn (fallbacks, retries, hedging as for chat): each attempt goes natively to a Responses backend or
 * through its chat adapter, and a bridged target that cannot do the request is refused so the next one is tried.
 */
async function routeTurn<N, C>(
  ctx: RequestContext,
  snapshot: RuntimeSnapshot,
  turn: ResponsesTurn,
  calls: TurnCalls<N, C>,
  lifecycle: AnswerLifecycle<TurnAnswer<N, C>> = {},
): Promise<Routed<TurnAnswer<N, C>>> {
  const { alias, fallbacks } = routingRequest(snapshot, ctx);
  refuseEarly(snapshot, alias, turn);
  const attempt = async (
    provider: ResolvedProvider,
    body: ChatRequest,
    call: UpstreamCall,
    signal: AbortSource,
    timing: AttemptTiming,
  ): Promise<TurnAnswer<N, C>> => {
    if (isNativeResponses(provider)) {
      const spec = () => nativeResponsesRequest(provider, nativeBody(provider, turn, call), call);
      return { native: await calls.native(provider, spec, signal, timing) };
    }
    if (turn.refusal) throw bridgedRefusal(turn);
    return { chat: await calls.chat(provider, body, call, signal, timing) };
  };
  const routed = await routeAttempts(ctx, snapshot, alias, attempt, { ...lifecycle, fallbacks });
  ctx.servedBy = { alias: routed.alias, provider: routed.provider.name, model: routed.model };
  return routed;
}

async function serveJson(ctx: RequestContext, res: HttpResponse, snapshot: RuntimeSnapshot): Promise<RequestOutcome> {
  const turn = turnOf(ctx);
  const routed = await routeTurn<ResponseObject, ChatCompletion>(ctx, snapshot, turn, {
    native: async (provider, spec, signal, timing) =>
      (await fetchJson(provider, spec, (json) => nativeJsonResponse(json, turn.frame, provider.name), signal, timing, 64 << 20)).body,
    chat: async (provider, body, call, signal, timing) => (await callChat(provider, body, call, signal, timing)).body,
  });
  const answer = routed.value;
  const served = 'chat' in answer ? answer.chat : responseToCompletion(answer.native);
  ctx.usage = served.usage;
  // Before the answer is written: the cost-log plugin's x-switchyard-cost-usd header comes from here.
  if (served.usage && snapshot.pipeline.has('onUsage')) snapshot.pipeline.onUsage(ctx, served.usage, served.model);
  const completion = snapshot.pipeline.has('onResponse') ? await snapshot.pipeline.onResponse(ctx, served) : served;
  // A native Response takes the plugins' changes back into its items (native-plugins.ts); a chat answer is rebuilt from them.
  const response = 'native' in answer ? withCompletionChanges(answer.native, served, completion) : completionToResponse(completion, turn.frame, nowSeconds());
  await keep(ctx, turn, response);
  snapshot.pipeline.beforeAnswerEnd(ctx, completion.usage);
  sendJson(res, 200, responseForClient(response, wantsEncryptedReasoning(turn.frame.request.include)), servedHeaders(ctx));
  return { status: 200, response: completion, completed: true, usage: completion.usage, latencyMs: performance.now() - ctx.startedMono };
}

/** Writes Responses events as SSE (`event:` and `data:` lines, as OpenAI sends them), respecting backpressure. */
class ResponsesSseSink {
  private started = false;

  constructor(
    private readonly res: HttpResponse,
    private readonly headers: Record<string, string>,
  ) {}

  async write(events: ResponsesStreamEvent[]): Promise<void> {
    this.start();
    if (events.length === 0 || this.res.destroyed) return;
    if (!this.res.write(events.map(formatResponsesEvent).join(''))) await writable(this.res);
  }

  end(events: ResponsesStreamEvent[]): void {
    this.start();
    this.res.end(events.map(formatResponsesEvent).join(''));
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(200, headerList(this.headers, SSE_HEADERS));
  }
}

/** A native backend's opened stream, with the relay that gives its events the gateway's ids. */
interface NativeStream {
  stream: OpenedEventStream<ResponsesStreamEvent>;
  relay: NativeEventRelay;
}

type OpenedAnswer = TurnAnswer<NativeStream, OpenedEventStream<ChatCompletionChunk>>;

const upstreamOf = (opened: OpenedAnswer) => ('native' in opened ? opened.native.stream : opened.chat);

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

async function serveStream(ctx: RequestContext, res: HttpResponse, snapshot: RuntimeSnapshot): Promise<RequestOutcome> {
  const turn = turnOf(ctx);
  const routed = await routeTurn<NativeStream, OpenedEventStream<ChatCompletionChunk>>(
    ctx,
    snapshot,
    turn,
    {
      native: async (provider, spec, signal, timing) => {
        const relay = new NativeEventRelay(turn.frame, provider.name);
        return { stream: await openEventStream(provider, spec, () => relay, signal, timing), relay };
      },
      chat: openChatStream,
    },
    { heldUntil: (opened) => upstreamOf(opened).done, discard: (opened) => upstreamOf(opened).cancel() },
  );
  const sink = new ResponsesSseSink(res, servedHeaders(ctx));
  const opened = routed.value;
  if ('native' in opened) return relayNative(ctx, snapshot, sink, turn, opened.native, routed.provider.name);
  return translateChat(ctx, snapshot, sink, turn, opened.chat, routed.provider.name);
}

/** The end of a stream that failed after it began: response.failed, or nothing when the client left. */
async function streamFailed(
  ctx: RequestContext,
  snapshot: RuntimeSnapshot,
  err: unknown,
  provider: string,
  failedEvent: (e: GatewayError) => ResponsesStreamEvent,
  sink: ResponsesSseSink,
): Promise<RequestOutcome> {
  if (clientAbortOf(ctx).aborted) return { status: 499, completed: false, usage: ctx.usage, latencyMs: performance.now() - ctx.startedMono };
  const failure = err instanceof AttemptFailure ? errors.upstreamStreamFailed(err.message) : asGatewayError(err);
  ctx.log.warn('stream failed after first byte', { request_id: ctx.id, provider, error: failure.message });
  await snapshot.pipeline.onError(ctx, failure);
  sink.end([failedEvent(failure)]);
  return { status: 200, completed: false, error: failure, usage: ctx.usage, latencyMs: performance.now() - ctx.startedMono };
}

async function translateChat(
  ctx: RequestContext,
  snapshot: RuntimeSnapshot,
  sink: ResponsesSseSink,
  turn: ResponsesTurn,
  stream: OpenedEventStream<ChatCompletionChunk>,
  provider: string,
): Promise<RequestOutcome> {
  const toEvents = new ChunksToResponseEvents(turn.frame);
  const assembler = new StreamAssembler(DEFAULT_MAX_ASSEMBLED_CHARS, {
    budget: keptStreamText,
    limit: snapshot.config.server.max_kept_stream_text_mb * 1024 * 1024,
  });
  const relay = async (chunk: ChatCompletionChunk) => {
    assembler.add(chunk);
    const out = snapshot.pipeline.onStreamChunk(ctx, chunk);
    if (out) await sink.write(toEvents.push(out));
  };
  try {
    await sink.write(toEvents.start());
    for (const chunk of stream.first) await relay(chunk);
    for await (const batch of stream.rest) for (const chunk of batch) await relay(chunk);
  } catch (err) {
    stream.cancel();
    // Cut or aborted: the provider bills what it generated, so the request is billed what it reported plus an estimate.
    ctx.usage = finalStreamUsage(ctx, assembler, stream);
    assembler.release();
    return streamFailed(ctx, snapshot, err, provider, (e) => toEvents.fail(e), sink);
  }
  const { completion, truncated } = assembler.result();
  ctx.usage = completion.usage ?? finalStreamUsage(ctx, assembler, stream);
  assembler.release();
  const end = toEvents.finish(nowSeconds());
  await keep(ctx, turn, toEvents.final!);
  snapshot.pipeline.beforeAnswerEnd(ctx, ctx.usage);
  sink.end(end);
  return {
    status: 200,
    response: completion,
    completed: true,
    ...(truncated ? { truncated } : {}),
    usage: completion.usage,
    latencyMs: performance.now() - ctx.startedMono,
  };
}

async function relayNative(
  ctx: RequestContext,
  snapshot: RuntimeSnapshot,
  sink: ResponsesSseSink,
  turn: ResponsesTurn,
  { stream, relay }: NativeStream,
  provider: string,
): Promise<RequestOutcome> {
  let failed = false;
  let final: ResponseObject | undefined;
  // The plugins see the stream as chat chunks and may rewrite or drop them (native-plugins.ts).
  const plugins = snapshot.pipeline.has('onStreamChunk')
    ? new NativeStreamChunks(turn.frame.id, turn.frame.model, (chunk) => snapshot.pipeline.onStreamChunk(ctx, chunk))
    : undefined;
  const send = async (batch: ResponsesStreamEvent[]) => {
    for (const upstreamEvent of batch) {
      const ev = plugins ? plugins.pass(upstreamEvent) : upstreamEvent;
      if (!ev) continue;
      if (TERMINAL.has(ev.type)) {
        final = ev.response as ResponseObject;
        ctx.usage = responseToCompletion(final).usage;
        failed = ev.type === 'response.failed';
        if (!failed) await keep(ctx, turn, final);
      }
      await sink.write([ev]);
    }
  };
  try {
    await send(stream.first);
    for await (const batch of stream.rest) await send(batch);
  } catch (err) {
    stream.cancel();
    return streamFailed(ctx, snapshot, err, provider, (e) => (plugins ? plugins.numbered(relay.failed(e)) : relay.failed(e)), sink);
  }
  sink.end([]);
  const last = final ?? relay.last;
  const completion = last ? responseToCompletion(last) : undefined;
  return { status: 200, response: failed ? undefined : completion, completed: !failed, usage: ctx.usage, latencyMs: performance.now() - ctx.startedMono };
}

/** A plugin answered (a cache hit): the stored chat answer as a Response, or replayed as Responses events. */
async function answerDirect(ctx: RequestContext, res: HttpResponse, direct: DirectAnswer, snapshot: RuntimeSnapshot): Promise<RequestOutcome> {
  const turn = turnOf(ctx);
  const completion = direct.respond;
  ctx.usage ??= completion.usage;
  if (!ctx.stream) {
    if (completion.usage && snapshot.pipeline.has('onUsage')) snapshot.pipeline.onUsage(ctx, completion.usage, completion.model);
    const response = completionToResponse(completion, turn.frame, nowSeconds());
    await keep(ctx, turn, response);
    snapshot.pipeline.beforeAnswerEnd(ctx, completion.usage);
    sendJson(res, 200, responseForClient(response, wantsEncryptedReasoning(turn.frame.request.include)), servedHeaders(ctx));
  } else {
    const sink = new ResponsesSseSink(res, servedHeaders(ctx));
    const toEvents = new ChunksToResponseEvents(turn.frame);
    await sink.write(toEvents.start());
    for (const chunk of completionToChunks(completion, { includeUsage: true })) {
      const out = snapshot.pipeline.onStreamChunk(ctx, chunk);
      if (out) await sink.write(toEvents.push(out));
    }
    const end = toEvents.finish(nowSeconds());
    await keep(ctx, turn, toEvents.final!);
    sink.end(end);
  }
  return { status: 200, response: completion, completed: true, usage: completion.usage, latencyMs: performance.now() - ctx.startedMono };
}

/**
 * POST /v1/responses.
 *
 * @example add('POST', '/v1/responses', 'responses', responsesWork);
 */
export const responsesWork: EndpointWork = {
  body: 'json',
  parse: (body) => validateResponsesRequest(body),
  prepare,
  answerDirect,
  serve: (ctx, res, snapshot) => (ctx.stream ? serveStream(ctx, res, snapshot) : serveJson(ctx, res, snapshot)),
};
