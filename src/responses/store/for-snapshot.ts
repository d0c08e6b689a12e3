/**
 * How the Responses endpoints reach the store: from the snapshot their request runs against (the lifecycle's
 * lease), never from a module global, so a reload that changes `responses:` applies to new requests only.
 */
import type { RequestContext } from '../../pipeline/types';
import type { RuntimeSnapshot } from '../../routing/snapshot-types';
import type { ResponseStore } from './types';

/**
 * The store of the request's snapshot; undefined when `responses.enabled` is false (nothing is kept: answer
 * `store: true` without keeping it, and refuse `previous_response_id` with errors.previousResponseNotFound).
 * Do not close it: the runtime owns it and closes it when a reload no longer uses it, or at shutdown.
 *
 * @example
 * async serve(ctx, res, snapshot) {
 *   const store = responseStoreFor(snapshot);
 *   if (store && body.store !== false) await store.put({ id, owner: responseOwner(ctx), … });
 * }
 */
export function responseStoreFor(snapshot: Pick<RuntimeSnapshot, 'responseStore'>): ResponseStore | undefined {
  return snapshot.responseStore;
}

/**
 * Who owns what this request stores, and whose responses it may read: the auth key's name, or null when no auth
 * plugin runs (then every response is visible).
 *
 * @example await store.get(id, responseOwner(ctx))
 */
export function responseOwner(ctx: Pick<RequestContext, 'caller'>): string | null {
  return ctx.caller?.keyName ?? null;
}
