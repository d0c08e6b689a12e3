/**
 * Redis-backed buckets that fall back to local buckets while Redis is unreachable, so a limiter outage never
 * fails or stalls a request. Limits are then enforced per instance until Redis returns (logged by the client).
 */
import type Redis from 'ioredis';
import { isRedisReady } from './redis-client';
import { RedisTokenBuckets } from './redis-token-buckets';
import { checkAdjustments, checkSpecs, LocalTokenBuckets, type BucketAdjustment, type BucketSpec, type TakeResult, type TokenBuckets } from './token-buckets';

/**
 * @example
 * const buckets = new FailoverTokenBuckets(openRedis(url, { purpose: 'rate-limit', log }), 'switchyard:rl:');
 */
export class FailoverTokenBuckets implements TokenBuckets {
  private readonly shared: RedisTokenBuckets;
  readonly local = new LocalTokenBuckets();
  /** Takes answered locally because Redis was away (for tests and metrics). */
  localTakes = 0;

  constructor(
    readonly client: Redis,
    prefix: string,
  ) {
    this.shared = new RedisTokenBuckets(client, prefix);
  }

  async take(specs: readonly BucketSpec[]): Promise<TakeResult> {
    // A charge no bucket can honour is the caller's bug, not a Redis outage: refuse it here, not fall back.
    checkSpecs(specs);
    if (isRedisReady(this.client)) {
      try {
        return await this.shared.take(specs);
      } catch {
        // The connection's error handler logs the outage once; this request just uses the local buckets.
      }
    }
    this.localTakes++;
    return this.local.takeNow(specs);
  }

  async adjust(adjustments: readonly BucketAdjustment[]): Promise<void> {
    checkAdjustments(adjustments);
    if (isRedisReady(this.client)) {
      try {
        await this.shared.adjust(adjustments);
        return;
      } catch {
        // As in take: fall through to the local buckets.
      }
    }
    this.local.adjustNow(adjustments);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
