/**
 * How the Responses endpoints reach the store: from the snapshot their request runs against (the lifecycle's
 * lease), never from a module global, so a reload that changes `responses:` applies to new requests only.
 */
import type { RequestContext } from '../../pipeline/types';
import type { RuntimeSnapshot } from '../../routing/snapshot-types';
import type { ResponseStore } from './types';

/**
 * The store when `responses.enabled` is false: keeps nothing and finds nothing, so `store: true` is answered but
 * not kept, and `previous_response_id` meets conversationBefore's previous_response_not_found.
 */
const STORAGE_OFF: ResponseStore = {
  put: () => Promise.resolve(),
  get: () => Promise.resolve(undefined),
  delete: () => Promise.resolve(false),
  close: () => Promise.resolve(),
};

/**
 * The store of the request's snapshot (memory, SQLite, PostgreSQL or Redis, as `responses.store` says, with the
 * retention and the owner check applied). Never undefined: with `responses.enabled: false` it is a store that keeps
 * nothing. Do not close it: the runtime owns it and closes it when a reload no longer uses it, or at shutdown.
 * A store that fails throws errors.responseStoreUnavailable (503).
 *
 * @example
 * async serve(ctx, res, snapshot) {
 *   const store = responseStoreFor(snapshot);
 *   const earlier = body.previous_response_id ? await conversationBefore(store, body.previous_response_id, responseOwner(ctx)) : [];
 *   …
 *   if (body.store !== false) await store.put({ id, owner: responseOwner(ctx), createdAt: ctx.startedAt, … });
 * }
 */
export function responseStoreFor(snapshot: Pick<RuntimeSnapshot, 'responseStore'>): ResponseStore {
  return snapshot.responseStore ?? STORAGE_OFF;
}

/** False when `responses.enabled` is false (nothing is kept). @example if (!responseStorageOn(snapshot)) log.debug('not kept') */
export function responseStorageOn(snapshot: Pick<RuntimeSnapshot, 'responseStore'>): boolean {
  return snapshot.responseStore !== undefined;
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
