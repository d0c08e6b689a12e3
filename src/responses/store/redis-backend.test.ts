import { describeWithService, REDIS_URL } from '../../../test/helpers/services';
import { describeResponseBackend, storedResponse } from '../../../test/helpers/response-store-contract';
import { createLogger } from '../../observability/logger';
import { RedisResponseBackend } from './redis-backend';
import Redis from 'ioredis';

describeWithService(['redis'], 'Redis response store', () => {
  const prefix = `switchyard:test:${process.pid}:${Date.now()}:`;
  const log = createLogger({ silent: true });
  const admin = new Redis(REDIS_URL);
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    admin.disconnect();
  });

  // The TTL is computed on the test's clock, so the records must not expire in real time during the test.
  describeResponseBackend((clock) => new RedisResponseBackend(REDIS_URL, log, prefix, clock.now));

  it('gives each response a TTL at the retention, so Redis drops it by itself', async () => {
    const backend = new RedisResponseBackend(REDIS_URL, log, prefix, () => 1_000_000);
    await backend.put(storedResponse({ id: 'resp_ttl', createdAt: 1_000_000 }), 1_000_000 + 86_400_000);
    const ttl = await admin.pttl(`${prefix}resp_ttl`);
    expect(ttl).toBeGreaterThan(86_000_000);
    expect(ttl).toBeLessThanOrEqual(86_400_000);
    await backend.close();
  });
});
