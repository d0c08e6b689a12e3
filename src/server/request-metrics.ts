/**
 * The lifecycle's metrics hook: notes when the first byte of an answer leaves, counts the request in flight,
 * and hands the finished request to the metrics registry. Kept here so lifecycle.ts stays two calls long.
 */
import type { ServerResponse } from 'node:http';
import type { RuntimeSnapshot } from '../config/snapshot';
import { recordRequest, trackInFlight } from '../observability/metrics';
import type { RequestContext, RequestOutcome } from '../pipeline/types';

export interface RequestMetrics {
  /** Records the finished request; safe to call once the outcome is known (later calls are ignored). */
  finish(ctx: RequestContext | undefined, outcome: RequestOutcome | undefined, snapshot: RuntimeSnapshot): void;
}

/**
 * Remembers when the response's headers were written: every path to the client (JSON, SSE, errors, an implicit
 * header from a first `write`) goes through `writeHead`, so that moment is the first byte. The same technique
 * as the `on-headers` package, on this one response object only.
 */
function watchFirstByte(res: ServerResponse): () => number | undefined {
  let at: number | undefined;
  const original = res.writeHead;
  res.writeHead = function writeHeadWatched(this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    at ??= performance.now();
    return original.apply(this, args);
  } as ServerResponse['writeHead'];
  return () => at;
}

/**
 * @example
 * const metrics = startRequestMetrics(res);
 * try { … } finally { metrics.finish(ctx, outcome, snapshot); }
 */
export function startRequestMetrics(res: ServerResponse): RequestMetrics {
  const firstByteAt = watchFirstByte(res);
  const leaveInFlight = trackInFlight();
  let finished = false;
  return {
    finish(ctx, outcome, snapshot) {
      if (finished) return;
      finished = true;
      leaveInFlight();
      if (ctx && outcome) recordRequest({ ctx, outcome, knownAliases: snapshot.aliases, firstByteMono: firstByteAt() });
    },
  };
}
