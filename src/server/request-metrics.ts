/**
 * The lifecycle's metrics hook: notes when the first byte of an answer leaves, counts the request in flight,
 * and hands the finished request to the metrics registry. Kept here so lifecycle.ts stays two calls long.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { RuntimeSnapshot } from '../config/snapshot';
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
 * The same for a response express has taken over (express swaps every response's prototype for its own, so
 * TimedResponse's writeHead is gone): wraps this one response's writeHead. The technique of the `on-headers`
 * package.
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
  const firstByteAt = res instanceof TimedResponse ? () => (res as TimedResponse).firstByteAt : watchFirstByte(res);
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
