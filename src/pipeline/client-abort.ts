/**
 * Where a request keeps its client's disconnect: an AbortFlag (upstream/abort-flag.ts) that server/context.ts makes for
 * every request and fires when the client leaves before its answer was written.
 */
import type { AbortFlag, AbortSource } from '../upstream/abort-flag';
import type { RequestContext } from './types';

/** Where a request context built by server/context.ts keeps the AbortFlag of its client's disconnect. */
export const CLIENT_ABORT = Symbol('clientAbort');

/**
 * The request's "client went away" for the gateway's own code: like `ctx.signal`, without making an AbortSignal.
 *
 * @example new AttemptSignal(clientAbortOf(ctx), 30_000)
 */
export function clientAbortOf(ctx: RequestContext): AbortSource {
  return (ctx as RequestContext & { [CLIENT_ABORT]?: AbortFlag })[CLIENT_ABORT] ?? ctx.signal;
}
