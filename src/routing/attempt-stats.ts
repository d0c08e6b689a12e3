/**
 * The step of an attempt that feeds the target's statistics (target-stats.ts) the lowest-latency and least-busy
 * strategies read: the attempt counts as in flight until its answer stops using the upstream, and its time to
 * first byte (or, for a failure, how long it took to fail) is recorded.
 */
import { AttemptFailure, isTransient } from './attempt-failure';
import { targetKey } from './routing-state';
import type { TargetStats } from './target-stats';
import type { AnswerLifecycle, AttemptStep } from './try-target';

/**
 * @example const attempt = withTargetStats(snapshot.routing.stats, lifecycle, withAttemptTracing(ctx, tracing, call));
 */
export function withTargetStats<B, T>(stats: TargetStats, lifecycle: AnswerLifecycle<T>, next: AttemptStep<B, T>): AttemptStep<B, T> {
  return async (attempt, signal) => {
    const key = targetKey(attempt.step.target);
    const endInFlight = stats.begin(key);
    const started = performance.now();
    try {
      const value = await next(attempt, signal);
      const { timing } = attempt;
      stats.recordTtfb(key, timing.firstChunkMs ?? timing.ttfbMs ?? performance.now() - started);
      if (lifecycle.heldUntil) void lifecycle.heldUntil(value).then(endInFlight, endInFlight);
      else endInFlight();
      return value;
    } catch (err) {
      endInFlight();
      if (err instanceof AttemptFailure) {
        const elapsed = performance.now() - started;
        // A timeout is the slowest answer of all; any other upstream failure must not make the target look fast.
        if (err.timedOut) stats.recordTtfb(key, elapsed);
        else if (isTransient(err)) stats.recordFailure(key, elapsed);
      }
      throw err;
    }
  };
}
