/**
 * The gateway's own time on a request: time since it arrived minus the time spent waiting on upstream
 * attempts. Shown to clients as `x-switchyard-overhead-ms` and in `switchyard_gateway_overhead_seconds`, so
 * the cost of having a gateway in the path is visible per request, as LiteLLM's overhead header shows it.
 */
import type { AttemptRecord, RequestContext } from '../pipeline/types';

/**
 * Milliseconds during which at least one upstream attempt was outstanding. Hedged attempts overlap, so the
 * attempts' intervals are merged rather than summed. An attempt without a start offset never reached the
 * upstream (skipped, or refused by a plugin's aroundAttempt) and adds nothing.
 *
 * @example upstreamWaitMs([{ startMs: 1, latencyMs: 10 }, { startMs: 5, latencyMs: 10 }] as AttemptRecord[]) // 14
 */
export function upstreamWaitMs(attempts: readonly AttemptRecord[]): number {
  const spans: [number, number][] = [];
  for (const a of attempts) if (a.startMs !== undefined && a.latencyMs > 0) spans.push([a.startMs, a.startMs + a.latencyMs]);
  if (spans.length > 1) spans.sort((x, y) => x[0] - y[0]);
  let total = 0;
  let open = -Infinity;
  let close = -Infinity;
  for (const [start, end] of spans) {
    if (start > close) {
      if (close > open) total += close - open;
      open = start;
      close = end;
    } else if (end > close) close = end;
  }
  if (close > open) total += close - open;
  return total;
}

/**
 * The gateway's own time until `untilMs` (ms since the request arrived), never negative.
 *
 * @example overheadMs(ctx, performance.now() - ctx.startedMono) // 0.42
 */
export function overheadMs(ctx: RequestContext, untilMs: number): number {
  return Math.max(0, untilMs - upstreamWaitMs(ctx.attempts));
}

/** The header value: milliseconds with two decimals. @example formatOverhead(0.4213) // '0.42' */
export function formatOverhead(ms: number): string {
  return ms.toFixed(2);
}
