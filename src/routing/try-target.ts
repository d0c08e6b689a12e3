/**
 * The shape of one "try a target" (TryTarget) that every routing wrapper (retry, cooldown, hedging) composes
 * around, and the shapes the steps of one attempt share. The innermost try is composed in recorded-attempt.ts.
 */
import type { ResolvedProvider } from './snapshot-types';
import type { AbortSource } from '../upstream/abort-flag';
import type { AttemptInfo, AttemptRecord, RequestContext } from '../pipeline/types';
import type { UpstreamCall } from '../providers/types';
import type { PlannedAttempt } from './attempt-plan';
import type { AttemptTiming } from './call-target';

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
