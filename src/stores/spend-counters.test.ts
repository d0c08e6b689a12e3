import { createLogger } from '../observability/logger';
import { eventually } from '../../test/helpers/client';
import { describeWithService, REDIS_URL } from '../../test/helpers/services';
import { startTcpProxy, type TcpProxy } from '../../test/helpers/tcp-proxy';
import { isRedisReady, openRedis, waitForRedis } from './redis-client';
import { MemorySpendCounters, RedisSpendCounters } from './spend-counters';

const log = createLogger({ silent: true });
const HOLD = { holdTtlMs: 60_000, ttlMs: 600_000 };

describe('memory spend counters', () => {
  it('admit a reservation while spent plus the other holds is below the limit, and settle it to the real cost', async () => {
    const c = new MemorySpendCounters();
    expect((await c.reserve('k', 'r1', 400, 1000, HOLD)).admitted).toBe(true);
    expect((await c.reserve('k', 'r2', 400, 1000, HOLD)).admitted).toBe(true);
    expect((await c.reserve('k', 'r3', 400, 1000, HOLD)).admitted).toBe(true); // 800 < 1000: the last one may overshoot
    expect(await c.reserve('k', 'r4', 400, 1000, HOLD)).toMatchObject({ admitted: false, spentPico: 0, reservedPico: 1200 });
    await c.settle('k', 'r1', 150, { shared: false });
    expect(await c.get('k')).toEqual({ spentPico: 150, reservedPico: 800 });
    // A request's second attempt raises its own hold, checked against the others only.
    expect(await c.reserve('k', 'r2', 600, 1000, HOLD)).toMatchObject({ admitted: true, reservedPico: 1000 });
  });

  it('let a hold of a request that never settles expire', async () => {
    let now = 1_000_000;
    const c = new MemorySpendCounters(() => now);
    await c.reserve('k', 'crashed', 1000, 1000, { holdTtlMs: 60_000 });
    expect((await c.reserve('k', 'next', 1, 1000, HOLD)).admitted).toBe(false);
    now += 60_001;
    expect((await c.reserve('k', 'next', 1, 1000, HOLD)).admitted).toBe(true);
  });

  it('seed only when empty and forget a counter after its time to live', async () => {
    let now = 0;
    const c = new MemorySpendCounters(() => now);
    await c.settle('a', 'r', 350, { shared: false, ttlMs: 10 });
    await c.seed('a', 1);
    await c.seed('b', 42);
    expect((await c.get('a')).spentPico).toBe(350);
    expect((await c.get('b')).spentPico).toBe(42);
    now = 11;
    expect(await c.exists('a')).toBe(false);
  });
});

describeWithService(['redis'], 'redis spend counters', () => {
  const clients: RedisSpendCounters[] = [];
  const proxies: TcpProxy[] = [];
  afterAll(async () => {
    for (const c of clients) await c.close();
    for (const p of proxies) await p.close();
  });
  async function counters(url = REDIS_URL, options?: { maxPendingCounters: number }): Promise<RedisSpendCounters> {
    const client = openRedis(url, { purpose: 'test', log });
    await waitForRedis(client, 3000);
    const c = new RedisSpendCounters(client, 'switchyard-test:budget:', Date.now, options);
    clients.push(c);
    return c;
  }
  const unique = (name: string) => `${name}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

  it('admit 3 of 20 concurrent reservations from two instances against a limit worth 2.5', async () => {
    const [a, b] = [await counters(), await counters()];
    const counter = unique('race');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).reserve(counter, `r${i}`, 1000, 2500, HOLD)));
    expect(results.filter((r) => r.admitted)).toHaveLength(3);
    expect(results.every((r) => r.shared === r.admitted)).toBe(true);
  });

  it('settle exactly once, and let an existing counter survive a seed', async () => {
    const [a, b] = [await counters(), await counters()];
    const counter = unique('settle');
    await a.seed(counter, 1000, 60_000);
    await b.seed(counter, 5, 60_000);
    const hold = await a.reserve(counter, 'r1', 900, 10_000, HOLD);
    await a.settle(counter, 'r1', 500, { shared: hold.shared, ttlMs: 60_000 });
    await b.settle(counter, 'r1', 500, { shared: true, ttlMs: 60_000 }); // a replay of the same settlement
    await b.settle(counter, 'r2', 250, { shared: false, ttlMs: 60_000 }); // no hold in Redis: marked…
    await b.settle(counter, 'r2', 250, { shared: false, ttlMs: 60_000 }); // …so its replay adds nothing
    expect(await a.get(counter)).toEqual({ spentPico: 1750, reservedPico: 0 });
    expect((await b.get(counter)).spentPico).toBe(1750);
  });

  it('let the hold of a request that never settled expire', async () => {
    const a = await counters();
    const counter = unique('expire');
    await a.reserve(counter, 'crashed', 1000, 1000, { holdTtlMs: 1000 });
    expect((await a.reserve(counter, 'next', 1, 1000, HOLD)).admitted).toBe(false);
    await eventually(async () => (await a.reserve(counter, 'next', 1, 1000, HOLD)).admitted, 5000);
  });

  /** Counters reaching Redis through a TCP proxy, and a way to cut it and wait until they notice. */
  async function behindProxy(options?: { maxPendingCounters: number }): Promise<{ cut: RedisSpendCounters; proxy: TcpProxy; cutNow: () => Promise<void> }> {
    const proxy = await startTcpProxy(Number(new URL(REDIS_URL).port || 6379));
    proxies.push(proxy);
    const cut = await counters(`redis://127.0.0.1:${proxy.port}`, options);
    const cutNow = async () => {
      proxy.cut();
      await eventually(() => !isRedisReady(cut.client));
    };
    return { cut, proxy, cutNow };
  }
  async function cutOff(options?: { maxPendingCounters: number }): Promise<{ cut: RedisSpendCounters; proxy: TcpProxy }> {
    const rig = await behindProxy(options);
    await rig.cutNow();
    return rig;
  }

  it('add spend counted during an outage to Redis when it returns, never replacing it with the older figure', async () => {
    const { cut, proxy, cutNow } = await behindProxy();
    const other = await counters();
    const counter = unique('outage');
    await cut.seed(counter, 0, 60_000);
    await cut.settle(counter, 'before', 100, { shared: false, ttlMs: 60_000 });

    await cutNow();
    // While cut off: this instance reserves and settles locally; the other one goes on in Redis.
    const local = await cut.reserve(counter, 'during', 500, 10_000, HOLD);
    expect(local).toMatchObject({ admitted: true, shared: false });
    await cut.settle(counter, 'during', 400, { shared: false, ttlMs: 60_000 });
    await other.settle(counter, 'elsewhere', 30, { shared: false, ttlMs: 60_000 });
    expect((await cut.get(counter)).spentPico).toBe(500);
    expect(cut.pendingCount).toBe(1);

    proxy.restore();
    await eventually(async () => cut.pendingCount === 0 && (await other.get(counter)).spentPico === 530);
    expect((await cut.get(counter)).spentPico).toBe(530);
  });

  it('keep the spend of an outage as one pending sum per counter, however many requests settle, and add each to Redis once', async () => {
    const { cut, proxy } = await cutOff();
    const other = await counters();
    const [a, b] = [unique('outage-a'), unique('outage-b')];
    for (let i = 0; i < 200; i++) {
      const counter = i % 4 === 0 ? b : a;
      expect((await cut.reserve(counter, `r${i}`, 50, 1_000_000, HOLD)).admitted).toBe(true);
      await cut.settle(counter, `r${i}`, 7, { shared: false, ttlMs: 60_000 });
    }
    expect(cut.pendingCount).toBe(2);
    expect((await cut.get(a)).spentPico).toBe(150 * 7);
    expect((await cut.get(b)).spentPico).toBe(50 * 7);

    proxy.restore();
    await eventually(() => cut.pendingCount === 0);
    expect((await other.get(a)).spentPico).toBe(150 * 7);
    expect((await other.get(b)).spentPico).toBe(50 * 7);
    // Still once after the next settlement (the delivered sums are not sent again).
    await cut.settle(a, 'after', 1, { shared: false, ttlMs: 60_000 });
    expect((await other.get(a)).spentPico).toBe(150 * 7 + 1);
  });

  it('refuse reservations as budget_unavailable while more counters than the cap wait for Redis, and count their spend when it returns', async () => {
    const { cut, proxy } = await cutOff({ maxPendingCounters: 2 });
    const other = await counters();
    const [a, b, c] = [unique('cap-a'), unique('cap-b'), unique('cap-c')];
    for (const counter of [a, b]) {
      await cut.reserve(counter, 'r', 50, 1_000, HOLD);
      await cut.settle(counter, 'r', 10, { shared: false, ttlMs: 60_000 });
    }
    await expect(cut.reserve(c, 'r', 50, 1_000, HOLD)).rejects.toMatchObject({ status: 503, code: 'budget_unavailable' });
    await expect(cut.reserve(a, 'r2', 50, 1_000, HOLD)).rejects.toMatchObject({ status: 503, code: 'budget_unavailable' });
    expect(cut.pendingCount).toBe(2);

    proxy.restore();
    await eventually(() => cut.pendingCount === 0);
    expect((await cut.reserve(c, 'r', 50, 1_000, HOLD)).admitted).toBe(true);
    expect((await other.get(a)).spentPico).toBe(10);
    expect((await other.get(b)).spentPico).toBe(10);
  });

  it('release in Redis the shared holds settled during an outage, and add a batch delivered twice once', async () => {
    const { cut, proxy, cutNow } = await behindProxy();
    const other = await counters();
    const counter = unique('release');
    expect(await cut.reserve(counter, 'shared', 900, 1_000, HOLD)).toMatchObject({ admitted: true, shared: true });
    await cutNow();
    await cut.settle(counter, 'shared', 200, { shared: true, ttlMs: 60_000 });
    proxy.restore();
    await eventually(() => cut.pendingCount === 0);
    expect(await other.get(counter)).toEqual({ spentPico: 200, reservedPico: 0 });
    expect((await other.reserve(counter, 'next', 700, 1_000, HOLD)).admitted).toBe(true);

    const keys = ['switchyard-test:budget:' + counter, 'switchyard-test:budget:' + counter + ':holds'] as const;
    const args = ['batch:twice', '50', '60000', '86400000'];
    expect(await other.client.budgetSettleBatch(...keys, ...args)).toBe(1);
    expect(await other.client.budgetSettleBatch(...keys, ...args)).toBe(0);
    expect((await other.get(counter)).spentPico).toBe(250);
  });
});
