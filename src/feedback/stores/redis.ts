/**
 * Feedback in Redis, shared by every instance: served notes as keys with a TTL, ratings in one sorted set
 * (score = time) with their bodies in a hash, so `ratingsSince` is one range read. Notes and ratings are named by
 * `slotOf(key name, request id)`, so each key has its own.
 */
import type Redis from 'ioredis';
import { waitForRedis } from '../../stores/redis-client';
import { slotOf, type FeedbackStore, type Rating, type ServedRequest } from '../feedback-store';

/** @example const store = new RedisFeedbackStore(openRedis(url, { purpose: 'feedback', log }), 'switchyard:feedback:', 86_400_000); */
export class RedisFeedbackStore implements FeedbackStore {
  readonly kind = 'redis';

  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    /** How long a served note is kept, ms. */
    private readonly servedTtlMs: number,
  ) {}

  /** Connected, or given up after two seconds (calls then fail until Redis is back). */
  ready(): Promise<void> {
    return waitForRedis(this.client, 2000).catch(() => {});
  }

  async noteServed(batch: readonly ServedRequest[]): Promise<void> {
    if (batch.length === 0) return;
    const multi = this.client.multi();
    // NX: the first note for a key's request id stands (see FeedbackStore.noteServed).
    for (const s of batch) multi.set(`${this.prefix}served:${slotOf(s.keyName, s.requestId)}`, JSON.stringify(s), 'PX', this.servedTtlMs, 'NX');
    await multi.exec();
  }

  async served(keyName: string | null, requestId: string): Promise<ServedRequest | undefined> {
    const raw = await this.client.get(`${this.prefix}served:${slotOf(keyName, requestId)}`);
    return raw ? (JSON.parse(raw) as ServedRequest) : undefined;
  }

  async addRating(r: Rating): Promise<boolean> {
    const slot = slotOf(r.keyName, r.requestId);
    const added = await this.client.hsetnx(`${this.prefix}ratings`, slot, JSON.stringify(r));
    if (added !== 1) return false;
    await this.client.zadd(`${this.prefix}ratings:by-time`, r.at, slot);
    return true;
  }

  async ratingsSince(since: number): Promise<Rating[]> {
    const ids = await this.client.zrangebyscore(`${this.prefix}ratings:by-time`, since, '+inf');
    if (ids.length === 0) return [];
    const bodies = await this.client.hmget(`${this.prefix}ratings`, ...ids);
    // Ratings stored before they carried a key name read as the no-key ones.
    return bodies.filter((b): b is string => b !== null).map((b) => ({ keyName: null, ...(JSON.parse(b) as Omit<Rating, 'keyName'>) }));
  }

  async purge(): Promise<void> {
    // Served notes expire by themselves (PX).
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
