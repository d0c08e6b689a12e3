/**
 * In-memory state that must be one across worker processes: with `--workers N` and `store: memory`, the
 * rate-limit buckets and the cache live in the primary, and workers reach them over IPC. (With `store:
 * redis://…` Redis already shares them and none of this is used.) One IPC round trip per call; see
 * docs/deploy.md for what it costs.
 */
import { callPrimary, isGatewayWorker, registerErrorType, type PrimaryHandlers } from './ipc';
import { MemoryKvStore, type KvStore } from '../stores/kv-store';
import { InvalidBucketCharge, LocalTokenBuckets, type BucketAdjustment, type BucketSpec, type TakeResult, type TokenBuckets } from '../stores/token-buckets';

registerErrorType(InvalidBucketCharge);

/** Buckets kept by the primary for every worker. */
class PrimaryTokenBuckets implements TokenBuckets {
  constructor(private readonly store: string) {}

  take(specs: readonly BucketSpec[]): Promise<TakeResult> {
    return callPrimary('buckets.take', [this.store, specs]) as Promise<TakeResult>;
  }

  async adjust(adjustments: readonly BucketAdjustment[]): Promise<void> {
    await callPrimary('buckets.adjust', [this.store, adjustments]);
  }

  async close(): Promise<void> {}
}

/** A cache kept by the primary for every worker. */
class PrimaryKvStore implements KvStore {
  constructor(
    private readonly store: string,
    private readonly options: { maxEntries: number; maxBytes: number },
  ) {}

  // A cache that cannot be reached is a miss, as with Redis: never a failed request.
  async get(key: string): Promise<string | undefined> {
    return (await callPrimary('kv.get', [this.store, this.options, key]).catch(() => undefined)) as string | undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await callPrimary('kv.set', [this.store, this.options, key, value, ttlMs]).catch(() => undefined);
  }

  async close(): Promise<void> {}
}

/**
 * Token buckets "in memory": this process's own, or in a worker, the primary's (so limits hold across workers).
 *
 * @example const buckets = memoryTokenBuckets('rate-limit');
 */
export function memoryTokenBuckets(store: string): TokenBuckets {
  return isGatewayWorker() ? new PrimaryTokenBuckets(store) : new LocalTokenBuckets();
}

/**
 * A cache store "in memory": this process's own, or in a worker, the primary's.
 *
 * @example const kv = memoryKvStore('cache', { maxEntries: 10_000, maxBytes: 64 << 20 });
 */
export function memoryKvStore(store: string, options: { maxEntries: number; maxBytes: number }): KvStore {
  return isGatewayWorker() ? new PrimaryKvStore(store, options) : new MemoryKvStore(options);
}

/** The primary's side: the stores themselves, created on first use. */
export function sharedStoreHandlers(): PrimaryHandlers {
  const buckets = new Map<string, LocalTokenBuckets>();
  const kvs = new Map<string, MemoryKvStore>();
  const bucketsOf = (store: string) => buckets.get(store) ?? buckets.set(store, new LocalTokenBuckets()).get(store)!;
  const kvOf = (store: string, options: { maxEntries: number; maxBytes: number }) => {
    const key = `${store}|${options.maxEntries}|${options.maxBytes}`;
    return kvs.get(key) ?? kvs.set(key, new MemoryKvStore(options)).get(key)!;
  };
  return {
    'buckets.take': (store: string, specs: BucketSpec[]) => bucketsOf(store).take(specs),
    'buckets.adjust': (store: string, adjustments: BucketAdjustment[]) => bucketsOf(store).adjust(adjustments),
    'kv.get': (store: string, options: { maxEntries: number; maxBytes: number }, key: string) => kvOf(store, options).get(key),
    'kv.set': (store: string, options: { maxEntries: number; maxBytes: number }, key: string, value: string, ttlMs: number) =>
      kvOf(store, options).set(key, value, ttlMs),
  };
}
