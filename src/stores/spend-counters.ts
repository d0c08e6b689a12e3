/**
 * Running spend per budget counter (key × period), in nano-dollars so sums are exact integers. In memory, or in
 * Redis so every gateway instance sees the same spend; the Redis variant keeps a local copy to fall back on
 * while Redis is unreachable.
 */
import type Redis from 'ioredis';
import { isRedisReady } from './redis-client';

/** Nano-dollars in one USD. */
export const NANO_PER_USD = 1e9;

export interface SpendCounters {
  /** Adds to a counter; `ttlMs` bounds how long a counter of a finished period is kept. */
  add(counter: string, nanoUsd: number, ttlMs?: number): Promise<void>;
  get(counter: string): Promise<number>;
  /** Sets a counter only if it does not exist yet: restores spend from the sink after a restart. */
  seed(counter: string, nanoUsd: number, ttlMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface LocalCounter {
  value: number;
  expiresAt: number;
}

/**
 * @example
 * const counters = new MemorySpendCounters();
 * await counters.add('team-a:2026-11', 1500);
 * await counters.get('team-a:2026-11') // 1500
 */
export class MemorySpendCounters implements SpendCounters {
  private readonly counters = new Map<string, LocalCounter>();

  async add(counter: string, nanoUsd: number, ttlMs?: number): Promise<void> {
    this.addNow(counter, nanoUsd, ttlMs);
  }

  addNow(counter: string, nanoUsd: number, ttlMs?: number): void {
    const current = this.live(counter);
    this.counters.set(counter, { value: (current?.value ?? 0) + nanoUsd, expiresAt: current?.expiresAt ?? expiry(ttlMs) });
  }

  async get(counter: string): Promise<number> {
    return this.getNow(counter);
  }

  getNow(counter: string): number {
    return this.live(counter)?.value ?? 0;
  }

  async seed(counter: string, nanoUsd: number, ttlMs?: number): Promise<void> {
    if (!this.live(counter)) this.counters.set(counter, { value: nanoUsd, expiresAt: expiry(ttlMs) });
  }

  /** Overwrites the local copy with the shared value last read from Redis. */
  setNow(counter: string, nanoUsd: number, ttlMs?: number): void {
    this.counters.set(counter, { value: nanoUsd, expiresAt: this.live(counter)?.expiresAt ?? expiry(ttlMs) });
  }

  async close(): Promise<void> {
    this.counters.clear();
  }

  private live(counter: string): LocalCounter | undefined {
    const c = this.counters.get(counter);
    if (c && c.expiresAt <= Date.now()) {
      this.counters.delete(counter);
      return undefined;
    }
    return c;
  }
}

function expiry(ttlMs: number | undefined): number {
  return ttlMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + ttlMs;
}

/**
 * @example const counters = new RedisSpendCounters(openRedis(url, { purpose: 'budgets', log }), 'switchyard:spend:');
 */
export class RedisSpendCounters implements SpendCounters {
  readonly local = new MemorySpendCounters();

  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
  ) {}

  async add(counter: string, nanoUsd: number, ttlMs?: number): Promise<void> {
    this.local.addNow(counter, nanoUsd, ttlMs);
    if (!isRedisReady(this.client)) return;
    try {
      const key = this.prefix + counter;
      const multi = this.client.multi().incrby(key, Math.round(nanoUsd));
      if (ttlMs !== undefined) multi.pexpire(key, ttlMs, 'NX');
      await multi.exec();
    } catch {
      // Counted locally above; the outage is logged by the connection.
    }
  }

  async get(counter: string): Promise<number> {
    if (isRedisReady(this.client)) {
      try {
        const value = await this.client.get(this.prefix + counter);
        if (value !== null) {
          this.local.setNow(counter, Number(value));
          return Number(value);
        }
      } catch {
        // Fall back to the local copy.
      }
    }
    return this.local.getNow(counter);
  }

  async seed(counter: string, nanoUsd: number, ttlMs?: number): Promise<void> {
    await this.local.seed(counter, nanoUsd, ttlMs);
    if (!isRedisReady(this.client)) return;
    try {
      // NX: another instance that is already running holds the current figure; the sink may lag behind it.
      if (ttlMs === undefined) await this.client.set(this.prefix + counter, Math.round(nanoUsd), 'NX');
      else await this.client.set(this.prefix + counter, Math.round(nanoUsd), 'PX', ttlMs, 'NX');
    } catch {
      // Seeded locally above.
    }
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
