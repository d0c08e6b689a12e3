/**
 * The fixed lifecycle every model request goes through, whatever its endpoint:
 * lease the snapshot → build the context → validate → plugins' onRequest → the endpoint's work (routing) →
 * onError / onComplete → one log line → release the snapshot. Endpoints supply only the middle step.
 */
import type { ParsedRequest, HttpResponse } from './http-types';
import type { ResolvedAlias, RuntimeSnapshot } from '../config/snapshot';
import { asGatewayError, errors, GatewayError } from '../errors';
import type { DirectAnswer, Endpoint, RequestContext, RequestOutcome } from '../pipeline/types';
import { levelEnabled, logInfoLine } from '../observability/logger';
import { requestFallbacks, withoutGatewayFields } from '../routing/request-fallbacks';
import { createContext, requestIdFor } from './context';
import { startRequestMetrics } from './request-metrics';
import type { RuntimeHandle } from './runtime-handle';
import { sendError } from './send';

export interface EndpointWork {
  /** Throws a 400 GatewayError for a bad body. */
  validate(body: unknown): void;
  /** Serves a direct answer from a plugin (a cache hit). */
  answerDirect?(ctx: RequestContext, res: HttpResponse, direct: DirectAnswer, snapshot: RuntimeSnapshot): Promise<RequestOutcome>;
  /** Does the routing and writes the response; returns the outcome for onComplete. */
  serve(ctx: RequestContext, res: HttpResponse, snapshot: RuntimeSnapshot): Promise<RequestOutcome>;
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
  const alias = typeof name === 'string' ? snapshot.aliases.get(name) : undefined;
  if (!alias) throw errors.unknownAlias(String(name));
  const fallbacks = requestFallbacks(ctx.body, snapshot, ctx.caller);
  ctx.body = withoutGatewayFields(ctx.body);
  return { alias, fallbacks };
}

/**
 * @example app.post('/v1/chat/completions', (req, res) => runLifecycle(req, res, handle, 'chat', chatWork));
 */
export async function runLifecycle(req: ParsedRequest, res: HttpResponse, handle: RuntimeHandle, endpoint: Endpoint, work: EndpointWork): Promise<void> {
  const { snapshot, release } = handle.acquire();
  const metrics = startRequestMetrics(res);
  const id = requestIdFor(req);
  let ctx: RequestContext | undefined;
  let outcome: RequestOutcome | undefined;
  try {
    ctx = createContext(req, res, endpoint, handle.log, id);
    work.validate(req.body);
    const direct = snapshot.pipeline.has('onRequest') ? await snapshot.pipeline.onRequest(ctx) : undefined;
    if (direct && work.answerDirect) outcome = await work.answerDirect(ctx, res, direct, snapshot);
    else outcome = await work.serve(ctx, res, snapshot);
  } catch (err) {
    const e = asGatewayError(err);
    if (!(err instanceof GatewayError)) handle.log.error('request failed unexpectedly', { request_id: id, error: (err as Error)?.stack ?? String(err) });
    if (ctx) await snapshot.pipeline.onError(ctx, e);
    const headers = ctx ? servedHeaders(ctx) : { 'x-request-id': id };
    if (work.sendError) work.sendError(res, e, { ...headers, ...e.headers });
    else sendError(res, e, headers);
    outcome = { status: e.status, completed: false, error: e, latencyMs: ctx ? performance.now() - ctx.startedMono : 0 };
  } finally {
    if (ctx && outcome) {
      ctx.usage ??= outcome.usage;
      if (snapshot.pipeline.has('onComplete')) await snapshot.pipeline.onComplete(ctx, outcome);
      logRequest(handle, ctx, outcome);
    }
    metrics.finish(ctx, outcome, snapshot);
    release();
  }
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
    attempt_summary: ctx.attempts.length > 1 || outcome.error ? ctx.attempts.map((a) => `${a.provider}:${a.skipped ? 'skipped' : a.status}`).join(',') : undefined,
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
