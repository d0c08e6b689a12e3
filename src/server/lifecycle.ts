/**
 * The fixed lifecycle every request goes through, whatever its endpoint (router.ts picks the endpoint):
 * lease the snapshot → context and request id → drain check → plugins' onHeaders → read the body as the
 * endpoint declares (body-reader.ts) → validate → onRequest → the endpoint's work → onError / onComplete →
 * one log line and one count → release the snapshot. Every answer, errors before the body included, takes
 * this path, so each carries x-request-id, is logged once and counted once. Endpoints supply the middle step.
 */
import type { IncomingMessage } from 'node:http';
import type { HttpResponse } from './http-types';
import type { ResolvedAlias, RuntimeSnapshot } from '../routing/snapshot-types';
import { asGatewayError, errors, GatewayError } from '../errors';
import type { DirectAnswer, Endpoint, RequestContext, RequestOutcome } from '../pipeline/types';
import { levelEnabled, logInfoLine } from '../observability/logger';
import { formatOverhead, overheadMs } from '../observability/overhead';
import { requestFallbacks, withoutGatewayFields } from '../routing/request-fallbacks';
import { aliasNamed } from '../routing/wildcard-aliases';
import { readJsonBody, type BodySink } from './body-reader';
import { addCorsHeaders } from './cors';
import { createContext, requestIdFor, type LifecycleContext } from './context';
import { startRequestMetrics, type RequestMetrics } from './request-metrics';
import type { RuntimeHandle, SnapshotLease } from './runtime-handle';
import { sendError } from './send';
import { noteForFeedback } from '../feedback/note-served';
import { recordForDashboard } from '../dashboard/state';
import { noteReportedCost } from '../pipeline/reported-cost';

/**
 * How an endpoint's body is read: `json` parsed by the one body reader (limits, decoding, UTF-8, depth, JSON);
 * `raw` left unread for the endpoint (passthrough relays the stream); `none` discarded unread.
 */
export type BodyKind = 'json' | 'raw' | 'none';

export interface EndpointWork {
  readonly body: BodyKind;
  /** False for the gateway's own answers (health, metrics, plugin routes, 404/405): no plugin hook runs. */
  readonly plugins?: boolean;
  /** Turns the parsed JSON into the body the endpoint works with (the Anthropic front door translates it); throws a 400. */
  parse?(body: unknown): unknown;
  /** Throws a 400 GatewayError for a bad body. */
  validate?(body: unknown): void;
  /**
   * Asynchronous work on the parsed body before any plugin sees it in onRequest (the Responses endpoint loads the
   * stored conversation here, so limits, cache keys and costs see the whole of it). Throws a GatewayError to refuse.
   */
  prepare?(ctx: RequestContext, snapshot: RuntimeSnapshot): Promise<void>;
  /** Serves a direct answer from a plugin (a cache hit). */
  answerDirect?(ctx: RequestContext, res: HttpResponse, direct: DirectAnswer, snapshot: RuntimeSnapshot): Promise<RequestOutcome>;
  /** Does the work and writes the response; returns the outcome for onComplete. `req` is unread for `raw` bodies. */
  serve(ctx: RequestContext, res: HttpResponse, snapshot: RuntimeSnapshot, req: IncomingMessage): Promise<RequestOutcome>;
  /** Writes an error in the endpoint's own wire format (the Anthropic front door); OpenAI's shape when absent. */
  sendError?(res: HttpResponse, err: GatewayError, headers: Record<string, string>): void;
}

/**
 * The response headers, completed with what served the request; set on every answer once known. They are
 * written into `ctx.responseHeaders` itself (the answer is going out: they are final), not into a copy.
 */
export function servedHeaders(ctx: RequestContext): Record<string, string> {
  const h = ctx.responseHeaders;
  h['x-switchyard-attempts'] = String(ctx.attempts.length);
  h['x-switchyard-overhead-ms'] = formatOverhead(overheadMs(ctx, performance.now() - ctx.startedMono));
  if (ctx.servedBy) {
    h['x-switchyard-provider'] = ctx.servedBy.provider;
    h['x-switchyard-model'] = ctx.servedBy.model;
  }
  return h;
}

/**
 * What routing needs from a model request: the alias it names (404 in OpenAI's words when there is none) and
 * the client's own `fallbacks`, checked against the caller's key. The gateway-only fields are taken out of
 * `ctx.body` here, so nothing after this point can send them upstream.
 *
 * @example const { alias, fallbacks } = routingRequest(snapshot, ctx);
 */
export function routingRequest(snapshot: RuntimeSnapshot, ctx: RequestContext): { alias: ResolvedAlias; fallbacks: string[] | undefined } {
  const name = (ctx.body as { model?: unknown }).model;
  const alias = typeof name === 'string' ? aliasNamed(snapshot, name) : undefined;
  if (!alias) throw errors.unknownAlias(String(name));
  const fallbacks = requestFallbacks(ctx.body, snapshot, ctx.caller);
  ctx.body = withoutGatewayFields(ctx.body);
  return { alias, fallbacks };
}

/**
 * One request on its way through the lifecycle. A class with the steps as methods (rather than closures) so a
 * request allocates one object for its whole way; the body reader calls `bodyRead` on it.
 */
class RequestRun implements BodySink {
  private readonly lease: SnapshotLease;
  private readonly metrics: RequestMetrics;
  private readonly ctx: LifecycleContext;
  /** A plugin hook has seen this request: onError and onComplete are owed to it. */
  private hooksRan = false;
  /** The body reader (or a raw endpoint) took the request stream; otherwise an error answer discards it. */
  private bodyTaken = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: HttpResponse,
    private readonly handle: RuntimeHandle,
    private readonly work: EndpointWork,
    endpoint: Endpoint,
  ) {
    this.lease = handle.acquire();
    this.metrics = startRequestMetrics(res, work.plugins !== false);
    this.ctx = createContext(req, res, endpoint, handle.log, requestIdFor(req));
  }

  start(): void {
    const tracing = this.lease.snapshot.tracing;
    if (tracing && this.work.plugins !== false) tracing.startRequest(this.ctx, this.req.headers);
    const cors = this.lease.snapshot.config.server.cors;
    if (cors !== undefined) addCorsHeaders(this.ctx.responseHeaders, this.req.headers, cors);
    try {
      if (this.handle.draining) throw errors.draining();
      this.ctx.readMetadata();
      if (this.work.plugins !== false) {
        this.hooksRan = true;
        const pending = this.lease.snapshot.pipeline.onHeaders(this.ctx);
        if (pending) {
          pending.then(
            () => this.readBody(),
            (err: unknown) => void this.serve(err),
          );
          return;
        }
      }
    } catch (err) {
      void this.serve(err);
      return;
    }
    this.readBody();
  }

  private readBody(): void {
    const kind = this.work.body;
    if (kind === 'json') {
      this.bodyTaken = true;
      return readJsonBody(this.req, this.handle.bodyLimits, this);
    }
    if (kind === 'raw') this.bodyTaken = true;
    else this.req.resume();
    void this.serve(undefined);
  }

  bodyRead(err: GatewayError | undefined, body?: unknown): void {
    if (err) return void this.serve(err);
    try {
      const value = this.work.parse ? this.work.parse(body) : body;
      this.work.validate?.(value);
      this.ctx.setBody(value);
    } catch (e) {
      return void this.serve(e);
    }
    void this.serve(undefined);
  }

  /** The endpoint's work, or the answer to `early` (an error before it); then onComplete, the log line, the count. Never rejects. */
  private async serve(early: unknown): Promise<void> {
    const { ctx, res, work } = this;
    const snapshot = this.lease.snapshot;
    let outcome: RequestOutcome;
    if (early !== undefined) {
      outcome = await this.answerError(early);
    } else {
      try {
        if (work.prepare) await work.prepare(ctx, snapshot);
        const direct = work.plugins !== false && snapshot.pipeline.has('onRequest') ? await snapshot.pipeline.onRequest(ctx) : undefined;
        if (direct && work.answerDirect) outcome = await work.answerDirect(ctx, res, direct, snapshot);
        else outcome = await work.serve(ctx, res, snapshot, this.req);
      } catch (err) {
        outcome = await this.answerError(err);
      }
    }
    try {
      ctx.usage ??= outcome.usage;
      noteReportedCost(ctx);
      noteForFeedback(snapshot.feedback, ctx, outcome);
      if (this.hooksRan && snapshot.pipeline.has('onComplete')) await snapshot.pipeline.onComplete(ctx, outcome);
      snapshot.tracing?.endRequest(ctx, outcome);
      logRequest(this.handle, ctx, outcome);
      recordForDashboard(this.handle, snapshot, ctx, outcome);
      this.metrics.finish(ctx, outcome, snapshot);
    } catch (err) {
      this.handle.log.error('request accounting failed', { request_id: ctx.id, error: (err as Error)?.stack ?? String(err) });
    } finally {
      this.lease.release();
    }
  }

  private async answerError(err: unknown): Promise<RequestOutcome> {
    const { ctx, res } = this;
    const e = asGatewayError(err);
    if (!(err instanceof GatewayError))
      this.handle.log.error('request failed unexpectedly', { request_id: ctx.id, error: (err as Error)?.stack ?? String(err) });
    // Refused before its body was read: read and discard the rest (never parse or keep it), so the client
    // reads this answer rather than a reset; the server's request timeout bounds how long that may take.
    if (!this.bodyTaken) this.req.resume();
    if (this.hooksRan) await this.lease.snapshot.pipeline.onError(ctx, e);
    const headers = servedHeaders(ctx);
    if (this.handle.draining) headers.connection = 'close';
    // Headers already out (an endpoint failed mid-answer): the answer cannot change any more, only be cut.
    if (res.headersSent) {
      if (!res.writableEnded) res.destroy();
    } else if (this.work.sendError) this.work.sendError(res, e, { ...headers, ...e.headers });
    else sendError(res, e, headers);
    return { status: e.status, completed: false, error: e, latencyMs: performance.now() - ctx.startedMono };
  }
}

/**
 * Serves one request on `work` as `endpoint`. router.ts calls it for every request.
 *
 * @example runLifecycle(req, res, handle, 'chat', chatWork);
 */
export function runLifecycle(req: IncomingMessage, res: HttpResponse, handle: RuntimeHandle, endpoint: Endpoint, work: EndpointWork): void {
  new RequestRun(req, res, handle, work, endpoint).start();
}

function logRequest(handle: RuntimeHandle, ctx: RequestContext, outcome: RequestOutcome): void {
  // winston formats a line before its transports filter by level: skip the work when info is off.
  if (!levelEnabled(handle.log, 'info')) return;
  const u = ctx.usage;
  let hedges = 0;
  for (const a of ctx.attempts) if (a.hedge) hedges++;
  const line: Record<string, unknown> = {
    request_id: ctx.id,
    endpoint: ctx.endpoint,
    alias: ctx.requestedAlias,
    provider: ctx.servedBy?.provider,
    model: ctx.servedBy?.model,
    status: outcome.status,
    latency_ms: Math.round(outcome.latencyMs * 10) / 10,
    attempts: ctx.attempts.length,
    attempt_summary:
      ctx.attempts.length > 1 || outcome.error
        ? ctx.attempts.map((a) => `${a.provider}:${a.kind === undefined || a.kind === 'status' ? a.status : a.kind}`).join(',')
        : undefined,
    hedges: hedges || undefined,
    stream: ctx.stream || undefined,
    completed: ctx.stream ? outcome.completed : undefined,
    prompt_tokens: u?.prompt_tokens,
    completion_tokens: u?.completion_tokens,
    cached_tokens: u?.prompt_tokens_details?.cached_tokens,
    key: ctx.caller?.keyName,
    error: outcome.error ? outcome.error.message : undefined,
  };
  // Fields plugins added (ctx.logField: cache, cost_usd, …); a name the gateway logs itself keeps its value.
  const added = ctx.logFields;
  if (added) for (const name in added) if (!(name in line)) line[name] = added[name];
  logInfoLine(handle.log, 'request', line);
  if (levelEnabled(handle.log, 'debug')) handle.log.debug('request body', { request_id: ctx.id, body: JSON.stringify(ctx.body).slice(0, 10_000) });
}
