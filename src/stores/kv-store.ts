/**
 * A small string key-value store with expiry, used by the response cache: in memory (LRU) or in Redis (shared
 * by every gateway instance). Both treat a store failure as a miss, never as a request failure.
 */
import type Redis from 'ioredis';
import { MemoryLru, type MemoryLruOptions } from './memory-lru';
import { isRedisReady } from './redis-client';

export interface KvStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * @example const kv = new MemoryKvStore({ maxEntries: 10_000, maxBytes: 64 << 20 });
 */
export class MemoryKvStore implements KvStore {
  readonly lru: MemoryLru;

  constructor(options: MemoryLruOptions) {
    this.lru = new MemoryLru(options);
  }

  async get(key: string): Promise<string | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.lru.set(key, value, ttlMs);
  }

  async close(): Promise<void> {
    this.lru.clear();
  }
}

/**
 * Keys are namespaced by `prefix`. While Redis is unreachable, reads miss and writes are skipped.
 *
 * @example const kv = new RedisKvStore(openRedis(url, { purpose: 'cache', log }), 'switchyard:cache:');
 */
export class RedisKvStore implements KvStore {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  async get(key: string): Promise<string | undefined> {
    if (!isRedisReady(this.client)) return undefined;
    try {
      return (await this.client.get(this.prefix + key)) ?? undefined;
    } catch (err) {
      this.onError(err as Error);
      return undefined;
    }
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (!isRedisReady(this.client)) return;
    try {
      await this.client.set(this.prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)));
    } catch (err) {
      this.onError(err as Error);
    }
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
