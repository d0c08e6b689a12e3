/**
 * The last stage of the pipeline: walk the attempt plan (targets, then fallbacks) until one target answers.
 * Connection errors, timeouts, 429 and 5xx move on to the next target; a 4xx the client caused is returned
 * as is. Every attempt is recorded on the context for headers, logs and the all-failed summary.
 */
import type { ResolvedAlias, ResolvedProvider, RuntimeSnapshot } from '../config/snapshot';
import { GatewayError } from '../errors';
import type { AttemptRecord, RequestContext } from '../pipeline/types';
import type { ChatRequest, EmbeddingsRequest } from '../providers/openai-types';
import type { UpstreamCall } from '../providers/types';
import { attemptPlan } from './attempt-plan';
import { AttemptFailure, type AttemptTiming } from './call-target';

/** One attempt's work: call the provider and return its answer, or throw AttemptFailure. */
export type AttemptRunner<B, T> = (provider: ResolvedProvider, body: B, call: UpstreamCall, signal: AbortSignal, timing: AttemptTiming) => Promise<T>;

export interface Routed<T> {
  value: T;
  alias: string;
  provider: ResolvedProvider;
  model: string;
}

/**
 * @example const { value } = await routeAttempts(ctx, snapshot, alias, (p, b, c, s, t) => callChat(p, b, c, s, t));
 */
export async function routeAttempts<B extends ChatRequest | EmbeddingsRequest, T>(
  ctx: RequestContext,
  snapshot: RuntimeSnapshot,
  alias: ResolvedAlias,
  run: AttemptRunner<B, T>,
): Promise<Routed<T>> {
  for (const step of attemptPlan(snapshot, alias)) {
    const provider = snapshot.providers.get(step.target.provider);
    const record: AttemptRecord = { alias: step.alias.name, provider: step.target.provider, model: step.target.model, status: 0, latencyMs: 0, ok: false };
    ctx.attempts.push(record);
    if (!provider || !provider.available) {
      record.skipped = true;
      record.reason = provider ? `unavailable: ${provider.missingEnv.join(', ')} not set` : 'unknown provider';
      continue;
    }
    const body = { ...(ctx.body as B), model: step.target.model };
    await snapshot.pipeline.beforeAttempt(ctx, { alias: step.alias.name, provider: provider.name, model: step.target.model, body });
    const started = performance.now();
    const timing: AttemptTiming = {};
    try {
      const value = await run(provider, body, { provider: provider.settings, model: step.target.model, stream: ctx.stream }, ctx.signal, timing);
      Object.assign(record, { ok: true, status: 200, latencyMs: performance.now() - started, ttfbMs: timing.ttfbMs });
      return { value, alias: step.alias.name, provider, model: step.target.model };
    } catch (err) {
      if (!(err instanceof AttemptFailure)) throw err;
      Object.assign(record, {
        status: err.upstreamStatus,
        reason: err.info.message,
        latencyMs: performance.now() - started,
        ttfbMs: timing.ttfbMs,
        timedOut: err.timedOut,
        retryAfterMs: err.info.retryAfterMs,
      });
      if (err.clientAborted) throw new GatewayError({ status: 499, type: 'invalid_request_error', code: 'client_closed_request', message: 'Client closed the request' });
      if (err.info.credentialProblem) ctx.log.error('upstream rejected the gateway credentials', { provider: provider.name, request_id: ctx.id });
      if (!err.info.retryable) {
        throw new GatewayError({ status: err.info.status, type: err.info.type as GatewayError['type'], code: err.info.code, message: err.info.message });
      }
    }
  }
  throw allAttemptsFailed(alias.name, ctx.attempts);
}

/** The error for an alias whose every attempt failed: the status that best describes it, and a summary. */
export function allAttemptsFailed(alias: string, attempts: AttemptRecord[]): GatewayError {
  const summary = attempts
    .map((a) => `${a.provider}/${a.model} → ${a.skipped ? 'skipped' : a.status || 'no response'} (${a.reason ?? 'failed'})`)
    .join('; ');
  const called = attempts.filter((a) => !a.skipped);
  let status = 502;
  let headers: Record<string, string> = {};
  if (called.length === 0) status = 503;
  else if (called.every((a) => a.timedOut)) status = 504;
  else if (called.every((a) => a.status === 429)) {
    status = 429;
    const waits = called.map((a) => a.retryAfterMs).filter((w): w is number => w !== undefined);
    headers = { 'retry-after': String(Math.max(1, Math.ceil((waits.length ? Math.min(...waits) : 1000) / 1000))) };
  }
  return new GatewayError({
    status,
    code: status === 503 ? 'no_available_target' : status === 504 ? 'upstream_timeout' : status === 429 ? 'rate_limit_exceeded' : 'all_targets_failed',
    message: `All ${attempts.length} attempt(s) for model "${alias}" failed: ${summary}`,
    headers,
  });
}
