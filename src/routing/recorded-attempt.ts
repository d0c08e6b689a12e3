/**
 * The innermost try, composed of named steps: skip a target that cannot serve (unservable-targets.ts), open the
 * attempt's record and run the beforeAttempt hooks, then target statistics (attempt-stats.ts) around the attempt's
 * span (attempt-tracing.ts) around its overhead timing (attempt-timing.ts) around the upstream call.
 */
import type { ResolvedProvider, RuntimeSnapshot } from './snapshot-types';
import { clientAbortOf } from '../pipeline/client-abort';
import type { Pipeline } from '../pipeline/pipeline';
import type { AttemptRecord, RequestContext } from '../pipeline/types';
import type { ChatRequest, EmbeddingsRequest } from '../providers/openai-types';
import { toOpenAIRateLimitHeaders, type RateLimitState } from '../providers/rate-limit-headers';
import type { PlannedAttempt } from './attempt-plan';
import { AttemptFailure } from './attempt-failure';
import { withTargetStats } from './attempt-stats';
import { markUpstreamStart, withOverheadTiming } from './attempt-timing';
import { withAttemptTracing } from './attempt-tracing';
import type { AnswerLifecycle, AttemptRunner, AttemptStep, OpenAttempt, TryTarget } from './try-target';
import { skipUnservable } from './unservable-targets';

/**
 * The upstream's rate-limit state, in OpenAI's header spelling, for the client. Headers a plugin already set
 * (the gateway's own limits, from the rate-limit plugin) take precedence: they are the limits the client is
 * actually held to.
 */
function passOnRateLimits(ctx: RequestContext, state: RateLimitState): void {
  for (const [name, value] of Object.entries(toOpenAIRateLimitHeaders(state))) {
    if (!(name in ctx.responseHeaders)) ctx.responseHeaders[name] = value;
  }
}

/** Starts the attempt's record in ctx.attempts and gathers what its steps share. */
function openAttempt<B extends ChatRequest | EmbeddingsRequest>(ctx: RequestContext, provider: ResolvedProvider, step: PlannedAttempt): OpenAttempt<B> {
  const record: AttemptRecord = {
    alias: step.alias.name,
    provider: step.target.provider,
    model: step.target.model,
    status: undefined,
    latencyMs: 0,
    ok: false,
  };
  if (step.hedge) record.hedge = true;
  ctx.attempts.push(record);
  const body = { ...(ctx.body as B), model: step.target.model };
  const info = { alias: step.alias.name, provider: provider.name, model: step.target.model, body };
  return { step, provider, body, info, record, timing: {}, upstreamStarted: 0 };
}

/** What an attempt that failed tells its record. */
function recordFailure(ctx: RequestContext, record: AttemptRecord, err: AttemptFailure): void {
  record.status = err.upstreamStatus;
  record.kind = err.kind;
  // Aborted while the client is still there: the gateway itself gave up on this attempt.
  record.reason =
    err.kind === 'client_abort' && !clientAbortOf(ctx).aborted ? 'abandoned: another attempt answered first, or the routing timeout passed' : err.message;
  if (err.timedOut) record.timedOut = true;
  if (err.info.retryAfterMs !== undefined) record.retryAfterMs = err.info.retryAfterMs;
  if (err.info.code) record.code = err.info.code;
}

/** The innermost step: the provider call inside the plugins' aroundAttempt hooks, its outcome into the record. */
function upstreamAttempt<B extends ChatRequest | EmbeddingsRequest, T>(
  ctx: RequestContext,
  pipeline: Pipeline,
  run: AttemptRunner<B, T>,
  lifecycle: AnswerLifecycle<T>,
): AttemptStep<B, T> {
  return async (attempt, signal) => {
    const { provider, record, timing } = attempt;
    const call = () => {
      markUpstreamStart(ctx.startedMono, attempt);
      return run(provider, attempt.body, { provider: provider.settings, model: attempt.step.target.model, stream: ctx.stream }, signal, timing);
    };
    try {
      const value = await (pipeline.has('aroundAttempt') ? pipeline.aroundAttempt(ctx, attempt.info, call, lifecycle) : call());
      record.ok = true;
      record.status = timing.status;
      if (timing.rateLimit) passOnRateLimits(ctx, timing.rateLimit);
      return value;
    } catch (err) {
      if (err instanceof AttemptFailure) recordFailure(ctx, record, err);
      throw err;
    }
  };
}

/**
 * @example const tryTarget = recordedAttempt(ctx, snapshot, callChat, {});
 */
export function recordedAttempt<B extends ChatRequest | EmbeddingsRequest, T>(
  ctx: RequestContext,
  snapshot: RuntimeSnapshot,
  run: AttemptRunner<B, T>,
  lifecycle: AnswerLifecycle<T>,
): TryTarget<T> {
  const pipeline = snapshot.pipeline;
  const attempt = withTargetStats(
    snapshot.routing.stats,
    lifecycle,
    withAttemptTracing(ctx, snapshot.tracing, withOverheadTiming(upstreamAttempt(ctx, pipeline, run, lifecycle))),
  );
  return skipUnservable(ctx, snapshot, (step, signal) => {
    // skipUnservable let the step through: its provider is known.
    const open = openAttempt<B>(ctx, snapshot.providers.get(step.target.provider)!, step);
    if (!pipeline.has('beforeAttempt')) return attempt(open, signal);
    return pipeline.beforeAttempt(ctx, open.info).then(() => attempt(open, signal));
  });
}
