/**
 * The one "try a target" function every routing wrapper (retry, cooldown, hedging) composes around, and the
 * innermost implementation of it: call the provider once, record the attempt and the target's statistics.
 */
import type { ResolvedProvider, RuntimeSnapshot } from './snapshot-types';
import { clientAbortOf } from '../pipeline/client-abort';
import type { AbortSource } from '../upstream/abort-flag';
import type { AttemptRecord, RequestContext } from '../pipeline/types';
import type { ChatRequest, EmbeddingsRequest } from '../providers/openai-types';
import { toOpenAIRateLimitHeaders, type RateLimitState } from '../providers/rate-limit-headers';
import type { UpstreamCall } from '../providers/types';
import type { PlannedAttempt } from './attempt-plan';
import { AttemptFailure, isTransient } from './attempt-failure';
import type { AttemptTiming } from './call-target';
import { capabilitySkipReason, lackedCapability, requiredCapabilities } from './capabilities';
import { providerKey, targetKey } from './routing-state';

/** One try of one target. Resolves with the answer, or throws AttemptFailure or TargetSkipped. */
export type TryTarget<T> = (step: PlannedAttempt, signal: AbortSource) => Promise<T>;

/** One attempt's work: call the provider and return its answer, or throw AttemptFailure. */
export type AttemptRunner<B, T> = (provider: ResolvedProvider, body: B, call: UpstreamCall, signal: AbortSource, timing: AttemptTiming) => Promise<T>;

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

/**
 * @example const tryTarget = recordedAttempt(ctx, snapshot, callChat, {});
 */
export function recordedAttempt<B extends ChatRequest | EmbeddingsRequest, T>(
  ctx: RequestContext,
  snapshot: RuntimeSnapshot,
  run: AttemptRunner<B, T>,
  lifecycle: AnswerLifecycle<T>,
): TryTarget<T> {
  return async (step, signal) => {
    const provider = snapshot.providers.get(step.target.provider);
    if (!provider || !provider.available) {
      throw recordSkip(ctx, step, provider ? `unavailable: ${provider.missingEnv.join(', ')} not set` : 'unknown provider');
    }
    // A provider whose active health check failed is passed over whether or not the alias has a cooldown policy.
    if (provider.healthCheck && snapshot.routing.cooldowns.isSkipped(providerKey(provider.name))) {
      throw recordSkip(ctx, step, `provider failed its health check: ${provider.healthCheck.last()?.error ?? 'down'}`);
    }
    // A model the catalog says cannot do what the request needs is passed over, not asked (capabilities.ts).
    const lacked = lackedCapability(provider, step.target.model, requiredCapabilities(ctx.body as object));
    if (lacked) throw recordSkip(ctx, step, capabilitySkipReason(lacked));
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
    const pipeline = snapshot.pipeline;
    const info = { alias: step.alias.name, provider: provider.name, model: step.target.model, body };
    if (pipeline.has('beforeAttempt')) await pipeline.beforeAttempt(ctx, info);
    const key = targetKey(step.target);
    const stats = snapshot.routing.stats;
    const endInFlight = stats.begin(key);
    const started = performance.now();
    let upstreamStarted = started;
    const timing: AttemptTiming = {};
    const traced = snapshot.tracing?.startAttempt(ctx, record);
    if (traced?.traceparent) timing.traceparent = traced.traceparent;
    try {
      // The upstream wait starts here, inside aroundAttempt: a rate-limit queue is the gateway's own time.
      const call = () => {
        upstreamStarted = performance.now();
        record.startMs = upstreamStarted - ctx.startedMono;
        return run(provider, body, { provider: provider.settings, model: step.target.model, stream: ctx.stream }, signal, timing);
      };
      const value = await (pipeline.has('aroundAttempt') ? pipeline.aroundAttempt(ctx, info, call, lifecycle) : call());
      const elapsed = performance.now() - started;
      record.ok = true;
      record.status = timing.status;
      record.latencyMs = performance.now() - upstreamStarted;
      record.ttfbMs = timing.ttfbMs;
      if (timing.rateLimit) passOnRateLimits(ctx, timing.rateLimit);
      stats.recordTtfb(key, timing.firstChunkMs ?? timing.ttfbMs ?? elapsed);
      if (lifecycle.heldUntil) void lifecycle.heldUntil(value).then(endInFlight, endInFlight);
      else endInFlight();
      traced?.end(record);
      return value;
    } catch (err) {
      endInFlight();
      const elapsed = performance.now() - started;
      if (err instanceof AttemptFailure) {
        record.status = err.upstreamStatus;
        record.kind = err.kind;
        // Aborted while the client is still there: the gateway itself gave up on this attempt.
        record.reason =
          err.kind === 'client_abort' && !clientAbortOf(ctx).aborted ? 'abandoned: another attempt answered first, or the routing timeout passed' : err.message;
        record.latencyMs = performance.now() - upstreamStarted;
        record.ttfbMs = timing.ttfbMs;
        if (err.timedOut) record.timedOut = true;
        if (err.info.retryAfterMs !== undefined) record.retryAfterMs = err.info.retryAfterMs;
        if (err.info.code) record.code = err.info.code;
        // A timeout is the slowest answer of all; any other upstream failure must not make the target look fast.
        if (err.timedOut) stats.recordTtfb(key, elapsed);
        else if (isTransient(err)) stats.recordFailure(key, elapsed);
      }
      traced?.end(record);
      throw err;
    }
  };
}
