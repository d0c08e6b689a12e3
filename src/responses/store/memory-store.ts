/**
 * A response store in memory: what tests use, and what POST /v1/responses uses until the configured store
 * (the `responses:` section) is wired in. One per gateway, kept across config reloads.
 */
import type { RuntimeSnapshot } from '../../routing/snapshot-types';
import type { ResponseStore, StoredResponse } from './types';

/**
 * @example
 * const store = new MemoryResponseStore();
 * await store.put(stored);
 * await store.get(stored.id, stored.owner); // stored
 */
export class MemoryResponseStore implements ResponseStore {
  private readonly byId = new Map<string, StoredResponse>();

  put(response: StoredResponse): Promise<void> {
    this.byId.set(response.id, structuredClone(response));
    return Promise.resolve();
  }

  get(id: string, owner: string | null): Promise<StoredResponse | undefined> {
    const found = this.byId.get(id);
    return Promise.resolve(found && found.owner === owner ? structuredClone(found) : undefined);
  }

  delete(id: string, owner: string | null): Promise<boolean> {
    const found = this.byId.get(id);
    if (!found || found.owner !== owner) return Promise.resolve(false);
    this.byId.delete(id);
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    this.byId.clear();
    return Promise.resolve();
  }
}

/** Keyed by the gateway's routing state, which is one object per gateway for its whole life (reloads included). */
const perGateway = new WeakMap<object, MemoryResponseStore>();

/**
 * The response store of the gateway a snapshot belongs to.
 *
 * @example const store = responseStoreFor(snapshot); await store.get(id, owner);
 */
export function responseStoreFor(snapshot: RuntimeSnapshot): ResponseStore {
  let store = perGateway.get(snapshot.routing);
  if (!store) perGateway.set(snapshot.routing, (store = new MemoryResponseStore()));
  return store;
}
