/**
 * The step of an attempt that times it for the overhead split (`x-switchyard-overhead-ms`, the log's attempts):
 * the record's `startMs` says when the upstream call began, after the plugins' own waits in aroundAttempt (a
 * rate-limit queue is the gateway's time), and `latencyMs` / `ttfbMs` how long the upstream then took.
 */
import { AttemptFailure } from './attempt-failure';
import type { AttemptStep, OpenAttempt } from './try-target';

/**
 * Marks the moment the upstream call begins; the innermost step calls it from inside aroundAttempt.
 *
 * @example const call = () => { markUpstreamStart(ctx.startedMono, attempt); return run(...); };
 */
export function markUpstreamStart(requestStartedMono: number, attempt: OpenAttempt<unknown>): void {
  attempt.upstreamStarted = performance.now();
  attempt.record.startMs = attempt.upstreamStarted - requestStartedMono;
}

/**
 * @example const timed = withOverheadTiming(upstreamAttempt(ctx, pipeline, run, lifecycle));
 */
export function withOverheadTiming<B, T>(next: AttemptStep<B, T>): AttemptStep<B, T> {
  return async (attempt, signal) => {
    // Until the call begins (a plugin may refuse before it does), the attempt's time is counted from here.
    attempt.upstreamStarted = performance.now();
    try {
      const value = await next(attempt, signal);
      attempt.record.latencyMs = performance.now() - attempt.upstreamStarted;
      attempt.record.ttfbMs = attempt.timing.ttfbMs;
      return value;
    } catch (err) {
      if (err instanceof AttemptFailure) {
        attempt.record.latencyMs = performance.now() - attempt.upstreamStarted;
        attempt.record.ttfbMs = attempt.timing.ttfbMs;
      }
      throw err;
    }
  };
}
