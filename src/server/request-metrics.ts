/**
 * The lifecycle's metrics hook: notes when the first byte of an answer leaves, counts the request in flight,
 * and hands the finished request to the metrics registry. The one first-byte timer: the gateway's server is
 * built with TimedResponse, so every answer, on every endpoint, is timed the same way.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { RuntimeSnapshot } from '../routing/snapshot-types';
import { recordRequest, trackInFlight } from '../observability/metrics';
import type { RequestContext, RequestOutcome } from '../pipeline/types';

export interface RequestMetrics {
  /** Records the finished request; safe to call once the outcome is known (later calls are ignored). */
  finish(ctx: RequestContext | undefined, outcome: RequestOutcome | undefined, snapshot: RuntimeSnapshot): void;
}

/**
 * The gateway server's response class (`http.createServer({ ServerResponse: TimedResponse })`): it remembers
 * when its headers were written. Every path to the client (JSON, SSE, errors, an implicit header from a first
 * `write`) goes through `writeHead`, so that moment is the first byte. A class rather than a per-response
 * patch: patching gave every response its own closure and an extra own property on each request.
 *
 * @example const at = (res as TimedResponse).firstByteAt;
 */
export class TimedResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  firstByteAt: number | undefined = undefined;
}
// Assigned rather than declared in the class body: TypeScript cannot restate writeHead's overloads in an override.
const plainWriteHead = ServerResponse.prototype.writeHead;
TimedResponse.prototype.writeHead = function writeHeadTimed(this: TimedResponse, ...args: unknown[]) {
  this.firstByteAt ??= performance.now();
  return (plainWriteHead as (...a: unknown[]) => ServerResponse).apply(this, args);
} as TimedResponse['writeHead'];

/**
 * @example
 * const metrics = startRequestMetrics(res, true);
 * try { … } finally { metrics.finish(ctx, outcome, snapshot); }
 */
export function startRequestMetrics(res: ServerResponse, inFlight = true): RequestMetrics {
  // The gateway's own answers (a /metrics scrape among them) are not "requests in flight": it would count itself.
  const leaveInFlight = inFlight ? trackInFlight() : undefined;
  let finished = false;
  return {
    finish(ctx, outcome, snapshot) {
      if (finished) return;
      finished = true;
      leaveInFlight?.();
      if (ctx && outcome) recordRequest({ ctx, outcome, knownAliases: snapshot.aliases, firstByteMono: (res as Partial<TimedResponse>).firstByteAt });
    },
  };
}
