/**
 * The one "try a target" function every routing wrapper (retry, cooldown, hedging) composes around, and the
 * innermost try, itself composed of named steps: skip a target that cannot serve (unservable-targets.ts), open
 * the attempt's record and run the beforeAttempt hooks, then target statistics (attempt-stats.ts) around the
 * attempt's span (attempt-tracing.ts) around its overhead timing (attempt-timing.ts) around the upstream call.
 */
import type { ResolvedProvider, RuntimeSnapshot } from './snapshot-types';
import { clientAbortOf } from '../pipeline/client-abort';
import type { Pipeline } from '../pipeline/pipeline';
import type { AbortSource } from '../upstream/abort-flag';
import type { AttemptInfo, AttemptRecord, RequestContext } from '../pipeline/types';
import type { ChatRequest, EmbeddingsRequest } from '../providers/openai-types';
import { toOpenAIRateLimitHeaders, type RateLimitState } from '../providers/rate-limit-headers';
import type { UpstreamCall } from '../providers/types';
import type { PlannedAttempt } from './attempt-plan';
import { AttemptFailure } from './attempt-failure';
import { withTargetStats } from './attempt-stats';
import { markUpstreamStart, withOverheadTiming } from './attempt-timing';
import { withAttemptTracing } from './attempt-tracing';
import type { AttemptTiming } from './call-target';
import { skipUnservable } from './unservable-targets';

/** One try of one target. Resolves with the answer, or throws AttemptFailure or TargetSkipped. */
export type TryTarget<T> = (step: PlannedAttempt, signal: AbortSource) => Promise<T>;

/** One attempt's work: call the provider and return its answer, or throw AttemptFailure. */
export type AttemptRunner<B, T> = (provider: ResolvedProvider, body: B, call: UpstreamCall, signal: AbortSource, timing: AttemptTiming) => Promise<T>;

/** One attempt under way: what its steps share. */
export interface OpenAttempt<B> {
  readonly step: PlannedAttempt;
  readonly provider: ResolvedProvider;
  /** The request's body with the target's model. */
  readonly body: B;
  /** What the plugins' beforeAttempt and aroundAttempt hooks are told. */
  readonly info: AttemptInfo;
  /** The attempt's entry in ctx.attempts, filled in by the steps as it goes. */
  readonly record: AttemptRecord;
  /** What the call learns on the way (status, time to first byte, rate limits), and the traceparent to send. */
  readonly timing: AttemptTiming;
  /** performance.now() when the upstream call began (attempt-timing.ts). */
  upstreamStarted: number;
}

/** One step of an attempt, wrapping the steps inside it as the routing wrappers wrap a TryTarget. */
export type AttemptStep<B, T> = (attempt: OpenAttempt<B>, signal: AbortSource) => Promise<T>;

/** The target was not called at all (provider unavailable, cooling down). @example throw new TargetSkipped('cooling down for 12s') */
export class TargetSkipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TargetSkipped';
  }
}

/** How an answer keeps using its upstream after it is returned: a stream holds its connection until read. */
export interface AnswerLifecycle<T> {
  /** Resolves when the answer no longer uses the upstream. Without it, the answer is done once returned. */
  heldUntil?(value: T): Promise<void>;
  /** Releases an answer nobody will read (a hedging race's loser). */
  discard?(value: T): void;
}

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

/** Records a target that was passed over without a call. @example recordSkip(ctx, step, 'cooling down') */
export function recordSkip(ctx: RequestContext, step: PlannedAttempt, reason: string): TargetSkipped {
  ctx.attempts.push({
    alias: step.alias.name,
    provider: step.target.provider,
    model: step.target.model,
    kind: 'skipped',
    latencyMs: 0,
    ok: false,
    skipped: true,
    reason,
  });
  return new TargetSkipped(reason);
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
