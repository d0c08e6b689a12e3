import { createLogger } from '../observability/logger';
import { describeWithService, REDIS_URL, startPrivateRedis } from '../../test/helpers/services';
import { FailoverTokenBuckets } from './failover-token-buckets';
import { openRedis, waitForRedis } from './redis-client';
import { RedisTokenBuckets } from './redis-token-buckets';
import { InvalidBucketCharge, LocalTokenBuckets, perMinuteBucket, type TokenBuckets } from './token-buckets';

const log = createLogger({ silent: true });

/** The same behaviour is expected of local and Redis buckets. */
function bucketContract(name: string, make: () => Promise<{ buckets: TokenBuckets; prefix: string }>) {
  describe(name, () => {
    let buckets: TokenBuckets;
    let id: string;
    beforeEach(async () => {
      const made = await make();
      buckets = made.buckets;
      id = `${made.prefix}:${Math.random().toString(36).slice(2)}`;
    });
    afterEach(() => buckets.close());

    it('lets a quiet key burst up to its per-minute limit, then asks it to wait', async () => {
      for (let i = 0; i < 5; i++) expect((await buckets.take([perMinuteBucket(id, 5, 1)])).allowed).toBe(true);
      const denied = await buckets.take([perMinuteBucket(id, 5, 1)]);
      expect(denied.allowed).toBe(false);
      expect(denied.blockingId).toBe(id);
      // One request per 12 s refills at 5 rpm.
      expect(denied.waitMs).toBeGreaterThan(11_000);
      expect(denied.waitMs).toBeLessThanOrEqual(12_000);
    });

    it('takes from all buckets or from none', async () => {
      const small = perMinuteBucket(`${id}:small`, 1, 1);
      const big = perMinuteBucket(`${id}:big`, 100, 1);
      expect((await buckets.take([small, big])).allowed).toBe(true);
      const denied = await buckets.take([small, big]);
      expect(denied.allowed).toBe(false);
      expect(denied.blockingId).toBe(small.id);
      const after = await buckets.take([big]);
      expect(after.levels[0].remaining).toBe(98);
    });

    it('reports remaining units and time to full for the rate-limit headers', async () => {
      const r = await buckets.take([perMinuteBucket(id, 600, 60)]);
      expect(r.levels[0]).toMatchObject({ capacity: 600, remaining: 540 });
      expect(r.levels[0].resetMs).toBeGreaterThan(5900);
      expect(r.levels[0].resetMs).toBeLessThanOrEqual(6000);
    });

    it('admits a request larger than the bucket once the bucket is full, leaving it in debt', async () => {
      const r = await buckets.take([perMinuteBucket(id, 1000, 1500)]);
      expect(r.allowed).toBe(true);
      expect(r.levels[0].remaining).toBe(-500);
    });

    it('corrects the estimate with the real usage', async () => {
      const spec = perMinuteBucket(id, 1000, 400);
      await buckets.take([spec]);
      await buckets.adjust([{ ...spec, delta: -300 }]);
      const r = await buckets.take([{ ...spec, cost: 0 }]);
      expect(r.levels[0].remaining).toBeGreaterThanOrEqual(900);
      expect(r.levels[0].remaining).toBeLessThanOrEqual(901);
    });

    it.each([NaN, Infinity, -Infinity, -1])('refuses a cost of %p and keeps enforcing the limit as before', async (cost) => {
      await expect(Promise.resolve().then(() => buckets.take([perMinuteBucket(id, 5, cost)]))).rejects.toThrow(InvalidBucketCharge);
      // All or nothing: a refused spec beside a good one leaves the good bucket untouched too.
      await expect(Promise.resolve().then(() => buckets.take([perMinuteBucket(`${id}:other`, 5, 1), perMinuteBucket(id, 5, cost)]))).rejects.toThrow(
        InvalidBucketCharge,
      );
      for (let i = 0; i < 5; i++) expect((await buckets.take([perMinuteBucket(id, 5, 1)])).allowed).toBe(true);
      expect((await buckets.take([perMinuteBucket(id, 5, 1)])).allowed).toBe(false);
      expect((await buckets.take([perMinuteBucket(`${id}:other`, 5, 5)])).allowed).toBe(true);
    });

    it('refuses a non-finite correction and a bucket of no real size', async () => {
      const spec = perMinuteBucket(id, 5, 5);
      await buckets.take([spec]);
      await expect(buckets.adjust([{ ...spec, delta: NaN }])).rejects.toThrow(InvalidBucketCharge);
      await expect(buckets.adjust([{ ...spec, delta: -Infinity }])).rejects.toThrow(InvalidBucketCharge);
      await expect(Promise.resolve().then(() => buckets.take([perMinuteBucket(`${id}:inf`, Infinity, 1)]))).rejects.toThrow(InvalidBucketCharge);
      expect((await buckets.take([perMinuteBucket(id, 5, 1)])).allowed).toBe(false);
    });
  });
}

// A frozen clock: the waits and levels the contract checks are exact here, however slow the machine (Redis's
// own clock cannot be frozen, hence the contract's small tolerances).
bucketContract('local token buckets', async () => ({ buckets: new LocalTokenBuckets(() => 1_700_000_000_000), prefix: 'local' }));

describe('local token buckets over time', () => {
  it('refill continuously at limit per minute', async () => {
    let now = 0;
    const buckets = new LocalTokenBuckets(() => now);
    const spec = perMinuteBucket('k', 60, 1);
    for (let i = 0; i < 60; i++) buckets.take([spec]);
    expect(buckets.take([spec]).allowed).toBe(false);
    now += 1000;
    expect(buckets.take([spec]).allowed).toBe(true);
    expect(buckets.take([spec]).allowed).toBe(false);
  });
});

describeWithService(['redis'], 'redis token buckets', () => {
  async function connected() {
    const client = openRedis(REDIS_URL, { purpose: 'test', log });
    await waitForRedis(client, 3000);
    return new RedisTokenBuckets(client, 'switchyard-test:rl:');
  }
  bucketContract('shared', async () => ({ buckets: await connected(), prefix: 'k' }));

  it('the Lua script itself refuses NaN and Infinity (which Redis reads as numbers) before touching a key', async () => {
    const buckets = await connected();
    const key = `switchyard-test:rl:lua:${Date.now()}`;
    const run = buckets.client as unknown as Record<
      'switchyardTakeBuckets' | 'switchyardAdjustBuckets',
      (n: number, ...a: (string | number)[]) => Promise<unknown>
    >;
    try {
      for (const cost of ['NaN', 'Infinity', '-Infinity', 'nan', '-1', 'x']) {
        await expect(run.switchyardTakeBuckets(1, key, 5, 5 / 60_000, cost)).rejects.toThrow(/invalid bucket charge/);
      }
      await expect(run.switchyardAdjustBuckets(1, key, 5, 5 / 60_000, 'NaN')).rejects.toThrow(/invalid bucket correction/);
      expect(await buckets.client.exists(key)).toBe(0);
    } finally {
      await buckets.close();
    }
  });

  it('a level poisoned by an older version counts as a full bucket, and the limit holds again', async () => {
    const buckets = await connected();
    const id = `poisoned:${Date.now()}`;
    try {
      await buckets.client.hset(`switchyard-test:rl:${id}`, 'tokens', 'nan', 'ts', String(Date.now()));
      for (let i = 0; i < 5; i++) expect((await buckets.take([perMinuteBucket(id, 5, 1)])).allowed).toBe(true);
      expect((await buckets.take([perMinuteBucket(id, 5, 1)])).allowed).toBe(false);
    } finally {
      await buckets.client.del(`switchyard-test:rl:${id}`);
      await buckets.close();
    }
  });

  it('two clients of one Redis share one limit', async () => {
    const a = await connected();
    const b = await connected();
    const spec = perMinuteBucket(`pair:${Date.now()}`, 10, 1);
    let allowed = 0;
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).take([spec])));
    for (const r of results) if (r.allowed) allowed++;
    expect(allowed).toBe(10);
    await a.close();
    await b.close();
  });
});

describeWithService(['redis-server binary'], 'failover token buckets', () => {
  it('fall back to local limits while Redis is down, and return to Redis when it is back', async () => {
    const redis = await startPrivateRedis();
    const client = openRedis(redis.url, { purpose: 'test', log });
    const buckets = new FailoverTokenBuckets(client, 'rl:');
    try {
      await waitForRedis(client, 3000);
      const spec = perMinuteBucket('k', 1000, 1);
      expect((await buckets.take([spec])).allowed).toBe(true);
      expect(buckets.localTakes).toBe(0);

      // A bad charge is the caller's bug, not an outage: refused, never answered by the local buckets.
      await expect(buckets.take([perMinuteBucket('k', 1000, NaN)])).rejects.toThrow(InvalidBucketCharge);
      expect(buckets.localTakes).toBe(0);

      await redis.stop();
      const during = await Promise.all([buckets.take([spec]), buckets.take([spec])]);
      expect(during.every((r) => r.allowed)).toBe(true);
      expect(buckets.localTakes).toBe(2);

      await redis.start();
      await waitForRedis(client, 5000);
      const localBefore = buckets.localTakes;
      await buckets.take([spec]);
      expect(buckets.localTakes).toBe(localBefore);
    } finally {
      await buckets.close();
      await redis.stop();
    }
  });
});
