/**
 * One attempt against one target: build the provider request with the adapter, send it through the provider's
 * transport under the attempt's timeouts, and hand back either the translated answer or an AttemptFailure
 * that says whether another target is worth trying. This is the "send to upstream" function the routing loop
 * (and any retry or hedging wrapper) composes around. Every way an attempt can fail ends in an AttemptFailure
 * made here (`upstreamFailure`, `failureFromText` or a factory of `attemptFailures`), which redacts the
 * upstream's words before anything can read them.
 */
import type { ResolvedProvider } from './snapshot-types';
import { GatewayError } from '../errors';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingsRequest, EmbeddingsResponse, Usage } from '../providers/openai-types';
import type { UpstreamCall } from '../providers/types';
import { UpstreamFailure, type HeaderBag, type HttpRequestSpec, type SseEvent } from '../upstream/http-spec';
import { readRateLimitHeadroom, readRateLimitHeaders, type RateLimitState } from '../providers/rate-limit-headers';
import { SseParser } from '../upstream/sse';
import { transportRefusalOf } from '../upstream/refusals';
import { describeTransportError, type UpstreamResponse } from '../upstream/transport';
import { AttemptFailure, attemptFailures, type CalledFailureKind } from './attempt-failure';
import { AttemptSignal } from './attempt-signal';
import type { AbortSource } from '../upstream/abort-flag';

// Where the server's routes have always found it; it lives in attempt-failure.ts.
export { AttemptFailure };

export interface AttemptTiming {
  /** The upstream's HTTP status, once its response headers arrived. */
  status?: number;
  /** ms from sending until the response headers arrived. */
  ttfbMs?: number;
  /** For streams: ms from sending until the first chunk arrived. */
  firstChunkMs?: number;
  /** The upstream's rate-limit headers, when it sent any, in the one internal form. */
  rateLimit?: RateLimitState;
  /** W3C trace context for the upstream (the attempt's span), when the request is traced. */
  traceparent?: string;
}

/** True when a response carries rate-limit headers worth parsing (most local upstreams send none). */
function hasRateLimitHeaders(headers: HeaderBag): boolean {
  for (const name in headers) if (name.startsWith('x-ratelimit-') || name.startsWith('anthropic-ratelimit-')) return true;
  return false;
}

/** A stream whose first events have arrived, so it is safe to commit to it (chat chunks, or Responses events). */
export interface OpenedEventStream<E> {
  first: E[];
  /** The remaining events, in batches as they arrive. Throws AttemptFailure on an in-stream error or a cut. */
  rest: AsyncGenerator<E[]>;
  /** Stops reading and releases the upstream connection. */
  cancel(): void;
  /** Resolves once the stream no longer uses its upstream: read to the end, failed or cancelled. */
  done: Promise<void>;
  /** What the provider reported of the usage before its final usage chunk (see StreamTranslator.usageSoFar). */
  usageSoFar(): Usage | undefined;
}

/** A chat stream whose first chunks have arrived. */
export type OpenedStream = OpenedEventStream<ChatCompletionChunk>;

/** Turns upstream SSE events into the events a route relays; `done` once the upstream signalled its end. */
export interface EventTranslator<E> {
  push(event: SseEvent): E[];
  readonly done: boolean;
  /** The usage reported so far, before the final usage chunk (see StreamTranslator.usageSoFar). */
  usageSoFar?(): Usage | undefined;
}

/**
 * Reads a whole response body as text, keeping at most `limit` bytes (past that the upstream is cut off).
 * Event-based rather than `for await`: async iteration over a stream costs several promises per chunk, on
 * every request.
 */
function readBodyText(res: UpstreamResponse, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const body = res.body;
    body.on('data', (piece: Buffer | Uint8Array) => {
      const buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
      if (size + buf.length > limit) {
        body.destroy();
        resolve(Buffer.concat(parts, size).toString('utf8'));
        return;
      }
      size += buf.length;
      parts.push(buf);
    });
    body.once('end', () => resolve((parts.length === 1 ? parts[0] : Buffer.concat(parts, size)).toString('utf8')));
    body.once('error', reject);
  });
}

/**
 * Any error an attempt threw, as an AttemptFailure. `answerKind` is what an adapter's UpstreamFailure means at
 * this point: an answer it could not read (`bad_answer`), or an error event inside a stream (`stream_error`).
 */
function upstreamFailure(err: unknown, clientSignal: AbortSource, provider: ResolvedProvider, answerKind: CalledFailureKind, status?: number): AttemptFailure {
  if (err instanceof AttemptFailure) return err;
  if (err instanceof UpstreamFailure) return new AttemptFailure(answerKind, err.info, status);
  // The transport's own refusals (pool busy, answer over the memory limits): worded by the gateway, failed over.
  const refusal = err instanceof GatewayError ? transportRefusalOf(err.code) : undefined;
  if (refusal) {
    const e = err as GatewayError;
    return new AttemptFailure(
      refusal === 'pool_busy' ? 'refused' : 'too_large',
      { status: e.status, type: e.type, code: e.code, message: e.message, retryable: true },
      status,
    );
  }
  const f = describeTransportError(err, clientSignal);
  return attemptFailures.transport(provider.name, f.kind, f.reason, status);
}

/**
 * The upstream request the adapter builds. An adapter refusing a request it cannot express (a 4xx of the
 * gateway's own, or an untranslatable request) is the client's answer, not a network problem: it fails the
 * attempt as `refused`, before anything is sent.
 */
function buildRequest(build: () => HttpRequestSpec, clientSignal: AbortSource, provider: ResolvedProvider, timing: AttemptTiming): HttpRequestSpec {
  try {
    const spec = build();
    if (timing.traceparent) spec.headers = { ...spec.headers, traceparent: timing.traceparent };
    return spec;
  } catch (err) {
    if (err instanceof GatewayError)
      throw new AttemptFailure('refused', { status: err.status, type: err.type, code: err.code, message: err.message, retryable: err.status >= 500 });
    if (err instanceof UpstreamFailure) throw new AttemptFailure('refused', err.info);
    throw upstreamFailure(err, clientSignal, provider, 'refused');
  }
}

async function failureFromResponse(res: UpstreamResponse, provider: ResolvedProvider): Promise<AttemptFailure> {
  return failureFromText(res.status, await readBodyText(res).catch(() => ''), res.headers, provider);
}

function failureFromText(status: number, text: string, headers: HeaderBag, provider: ResolvedProvider): AttemptFailure {
  return new AttemptFailure('status', provider.adapter.parseError(status, text, headers, provider.settings), status);
}

/** An attempt's abort: the client leaving, its total time, and the first-byte deadline when the provider sets one. */
function startAttempt(provider: ResolvedProvider, clientSignal: AbortSource): AttemptSignal {
  return new AttemptSignal(clientSignal, provider.timeouts.totalMs, provider.timeouts.firstByteMs);
}

/**
 * The one place a model call's response headers are read for rate limits: the attempt passes them on to the
 * client (timing.rateLimit), and the provider's headroom book keeps them for the dashboard.
 */
function noteRateLimits(provider: ResolvedProvider, headers: HeaderBag, timing: AttemptTiming, model: string | undefined): void {
  if (!hasRateLimitHeaders(headers)) return;
  const now = Date.now();
  timing.rateLimit = readRateLimitHeaders(headers, now);
  provider.rateLimits?.note(model, readRateLimitHeadroom(headers, now), now);
}

/** Sends a request whose answer streams: resolves once the response headers arrived. */
async function send(
  provider: ResolvedProvider,
  spec: HttpRequestSpec,
  attempt: AttemptSignal,
  timing: AttemptTiming,
  model: string | undefined,
): Promise<UpstreamResponse> {
  const started = performance.now();
  // undici's own timers are only a backstop at the attempt's total time: they tick about once a second, so the
  // precise first-byte deadline is the AttemptSignal's. (Options spelled out: an object spread costs µs here.)
  const totalMs = provider.timeouts.totalMs;
  const pending = provider.transport.send(spec, { firstByteTimeoutMs: totalMs, idleTimeoutMs: totalMs, cancel: attempt });
  attempt.start(); // once the request is on its way (see AttemptSignal.start)
  const res = await pending;
  attempt.firstByteArrived(); // a stream's first chunk has its own deadline (openChatStream)
  timing.ttfbMs = performance.now() - started;
  timing.status = res.status;
  noteRateLimits(provider, res.headers, timing, model);
  return res;
}

/**
 * An upstream's answer, parsed, with its JSON text when the adapter passed it on unchanged (an OpenAI-compatible
 * upstream): the route can then send that text as it came instead of serialising `body` again.
 */
export interface ParsedAnswer<T> {
  body: T;
  /** The upstream's own JSON text of `body`; undefined when the adapter translated the answer. */
  json?: string;
}

/**
 * One attempt whose answer is one JSON document: builds the request, sends it under the attempt's deadlines,
 * parses the answer with `parse`; an HTTP error or a network failure becomes an AttemptFailure. The body is
 * read whole (no stream), the cheapest way for the most common call there is. The whole attempt is this one
 * async function so that the answer reaches the route in as few promise steps as possible.
 *
 * @example await fetchJson(provider, () => spec, (json) => json as MyAnswer, ctx.clientAbort, timing, 64 << 20)
 */
export async function fetchJson<T>(
  provider: ResolvedProvider,
  build: () => HttpRequestSpec,
  parse: (json: unknown) => T,
  clientSignal: AbortSource,
  timing: AttemptTiming,
  maxBytes: number,
  /** The call, when known: the model the rate-limit headroom is kept under. */
  call?: UpstreamCall,
): Promise<ParsedAnswer<T>> {
  const spec = buildRequest(build, clientSignal, provider, timing);
  const attempt = startAttempt(provider, clientSignal);
  try {
    const started = performance.now();
    const onHeaders = () => {
      attempt.firstByteArrived();
      timing.ttfbMs = performance.now() - started;
    };
    const totalMs = provider.timeouts.totalMs; // undici's timers as in send(): a backstop
    const pending = provider.transport.fetch(spec, { firstByteTimeoutMs: totalMs, idleTimeoutMs: totalMs, cancel: attempt, maxBytes, onHeaders });
    attempt.start(); // once the request is on its way (see AttemptSignal.start)
    const res = await pending;
    timing.status = res.status;
    noteRateLimits(provider, res.headers, timing, call?.model);
    const text = res.body.toString('utf8');
    if (res.status >= 400) throw failureFromText(res.status, text, res.headers, provider);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw attemptFailures.invalidJson(provider.name, res.status);
    }
    const body = parse(json);
    return { body, json: body === json ? text : undefined };
  } catch (err) {
    throw upstreamFailure(err, clientSignal, provider, 'bad_answer', timing.status);
  } finally {
    attempt.dispose();
  }
}

/**
 * A non-streamed chat completion.
 *
 * @example const { body } = await callChat(provider, body, { provider: provider.settings, model, stream: false }, signal, timing);
 */
export function callChat(
  provider: ResolvedProvider,
  body: ChatRequest,
  call: UpstreamCall,
  clientSignal: AbortSource,
  timing: AttemptTiming,
): Promise<ParsedAnswer<ChatCompletion>> {
  const adapter = provider.adapter;
  return fetchJson(
    provider,
    () => adapter.buildChatRequest(body, call),
    (json) => adapter.parseChatResponse(json, call),
    clientSignal,
    timing,
    64 << 20,
    call,
  );
}

/** Embeddings, for adapters that support them. */
export async function callEmbeddings(
  provider: ResolvedProvider,
  body: EmbeddingsRequest,
  call: UpstreamCall,
  clientSignal: AbortSource,
  timing: AttemptTiming,
): Promise<ParsedAnswer<EmbeddingsResponse>> {
  const adapter = provider.adapter;
  const build = adapter.buildEmbeddingsRequest;
  const parse = adapter.parseEmbeddingsResponse;
  if (!build || !parse) {
    throw attemptFailures.unsupportedEndpoint(provider.name, adapter.api, 'embeddings');
  }
  return fetchJson(
    provider,
    () => build.call(adapter, body, call),
    (json) => parse.call(adapter, json, call),
    clientSignal,
    timing,
    256 << 20,
    call,
  );
}

async function* translateStream<E>(
  res: UpstreamResponse,
  call: UpstreamCall | undefined,
  translator: EventTranslator<E>,
  provider: ResolvedProvider,
  clientSignal: AbortSource,
): AsyncGenerator<E[]> {
  // The provider's own framing when it has one (Bedrock's binary event stream), else server-sent events.
  const parser = (call && provider.adapter.createStreamDecoder?.(call)) ?? new SseParser();
  try {
    for await (const piece of res.body) {
      const batch: E[] = [];
      for (const ev of parser.push(piece as Buffer)) batch.push(...translator.push(ev));
      if (batch.length > 0) yield batch;
      if (translator.done) return;
    }
    const tail: E[] = [];
    for (const ev of parser.flush()) tail.push(...translator.push(ev));
    if (tail.length > 0) yield tail;
  } catch (err) {
    throw upstreamFailure(err, clientSignal, provider, 'stream_error', res.status);
  } finally {
    if (!res.body.destroyed) res.body.destroy();
  }
  if (!translator.done) throw attemptFailures.streamCut(provider.name);
}

/** Rejects after `ms` unless cleared; for the first stream chunk, which undici's header timeout does not cover. */
function firstChunkDeadline(provider: ResolvedProvider, ms: number | undefined): { promise: Promise<never>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    if (ms === undefined) return;
    timer = setTimeout(() => reject(attemptFailures.firstChunkTimeout(provider.name, ms)), Math.max(0, ms));
  });
  return { promise, clear: () => clearTimeout(timer) };
}

/**
 * Opens a stream and waits for its first chunks, so the caller can still fail over if nothing arrives. The
 * provider's first_byte_timeout_ms covers the first chunk, not only the response headers: an overloaded
 * provider often answers 200 at once and then stalls.
 */
export function openChatStream(
  provider: ResolvedProvider,
  body: ChatRequest,
  call: UpstreamCall,
  clientSignal: AbortSource,
  timing: AttemptTiming,
): Promise<OpenedStream> {
  const adapter = provider.adapter;
  return openEventStream(
    provider,
    () => adapter.buildChatRequest(body, call),
    () => adapter.createStreamTranslator(call),
    clientSignal,
    timing,
    call,
  );
}

/**
 * openChatStream for any event stream: `build` makes the request, `translator` reads its events (the Responses
 * endpoint's native backends relay Responses events through it).
 *
 * @example await openEventStream(provider, () => spec, () => new MyTranslator(), ctx.clientAbort, timing)
 */
export async function openEventStream<E>(
  provider: ResolvedProvider,
  build: () => HttpRequestSpec,
  translator: () => EventTranslator<E>,
  clientSignal: AbortSource,
  timing: AttemptTiming,
  /** The chat call, when the adapter may frame its stream its own way (createStreamDecoder). */
  call?: UpstreamCall,
): Promise<OpenedEventStream<E>> {
  const started = performance.now();
  // The attempt's clock runs until the stream ends: timeout_ms bounds the whole answer.
  const spec = buildRequest(build, clientSignal, provider, timing);
  const attempt = startAttempt(provider, clientSignal);
  let res: UpstreamResponse;
  try {
    res = await send(provider, spec, attempt, timing, call?.model);
    if (res.status >= 400) throw await failureFromResponse(res, provider);
  } catch (err) {
    attempt.dispose();
    throw upstreamFailure(err, clientSignal, provider, 'bad_answer', timing.status);
  }
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const finish = () => {
    attempt.dispose();
    resolveDone();
  };
  const translate = translator();
  const inner = translateStream(res, call, translate, provider, clientSignal);
  const rest = (async function* () {
    try {
      yield* inner;
    } finally {
      finish();
    }
  })();
  const cancel = () => {
    if (!res.body.destroyed) res.body.destroy();
    finish();
  };
  const firstByteMs = provider.timeouts.firstByteMs;
  const deadline = firstChunkDeadline(provider, firstByteMs === undefined ? undefined : firstByteMs - (performance.now() - started));
  const pending = rest.next();
  let first: IteratorResult<E[]>;
  try {
    first = await Promise.race([pending, deadline.promise]);
  } catch (err) {
    pending.catch(() => undefined); // the cancelled read rejects later; nobody waits for it
    cancel();
    throw err;
  } finally {
    deadline.clear();
  }
  if (first.done) {
    cancel();
    throw attemptFailures.streamEmpty(provider.name, res.status);
  }
  timing.firstChunkMs = performance.now() - started;
  return { first: first.value, rest, cancel, done, usageSoFar: () => translate.usageSoFar?.() };
}

/**
 * The routing options of a stream: it holds its target until read, and a hedge's loser is cancelled.
 *
 * @example routeAttempts(ctx, snapshot, alias, openChatStream, streamRouting(fallbacks));
 */
export function streamRouting<S extends { done: Promise<void>; cancel(): void } = OpenedStream>(fallbacks: string[] | undefined) {
  return {
    heldUntil: (stream: S): Promise<void> => stream.done,
    discard: (stream: S): void => stream.cancel(),
    fallbacks,
  };
}
