/**
 * The step of an attempt that makes it an OpenTelemetry span (observability/tracing.ts): the span starts before
 * the upstream call, its traceparent goes to the upstream, and it ends with the attempt's record, answered or failed.
 */
import type { Tracing } from '../observability/tracing';
import type { RequestContext } from '../pipeline/types';
import type { AttemptStep } from './try-target';

/**
 * Without tracing configured it returns `next` itself: nothing on the path when tracing is off.
 *
 * @example const traced = withAttemptTracing(ctx, snapshot.tracing, withOverheadTiming(call));
 */
export function withAttemptTracing<B, T>(ctx: RequestContext, tracing: Tracing | undefined, next: AttemptStep<B, T>): AttemptStep<B, T> {
  if (!tracing) return next;
  return async (attempt, signal) => {
    const span = tracing.startAttempt(ctx, attempt.record);
    if (span.traceparent) attempt.timing.traceparent = span.traceparent;
    try {
      return await next(attempt, signal);
    } finally {
      span.end(attempt.record);
    }
  };
}
