import { createLogger } from '../observability/logger';
import { describeWithService, REDIS_URL } from '../../test/helpers/services';
import { openRedis, waitForRedis } from './redis-client';
import { MemorySpendCounters, RedisSpendCounters } from './spend-counters';

const log = createLogger({ silent: true });

describe('memory spend counters', () => {
  it('add up exactly and seed only when empty', async () => {
    const c = new MemorySpendCounters();
    await c.add('a', 100);
    await c.add('a', 250);
    await c.seed('a', 1);
    await c.seed('b', 42);
    expect(await c.get('a')).toBe(350);
    expect(await c.get('b')).toBe(42);
  });

  it('forget a counter after its time to live', async () => {
    const c = new MemorySpendCounters();
    await c.add('a', 100, 10);
    await new Promise((r) => setTimeout(r, 20));
    expect(await c.get('a')).toBe(0);
  });
});

describeWithService(['redis'], 'redis spend counters', () => {
  it('are shared by two instances, and an existing counter is not overwritten by a seed', async () => {
    const counter = `c-${Date.now()}`;
    const clients = [openRedis(REDIS_URL, { purpose: 'test', log }), openRedis(REDIS_URL, { purpose: 'test', log })];
    await Promise.all(clients.map((c) => waitForRedis(c, 3000)));
    const [a, b] = clients.map((c) => new RedisSpendCounters(c, 'switchyard-test:spend:'));
    await a.seed(counter, 1000, 60_000);
    await b.seed(counter, 5, 60_000);
    await a.add(counter, 500, 60_000);
    await b.add(counter, 250, 60_000);
    expect(await a.get(counter)).toBe(1750);
    expect(await b.get(counter)).toBe(1750);
    await a.close();
    await b.close();
  });
});
