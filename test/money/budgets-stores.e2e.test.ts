/**
 * Budgets when their stores fail, with the stores really cut off (a TCP proxy in front of the real PostgreSQL
 * and Redis that the test cuts and restores): a budget whose spend cannot be restored is closed, never open,
 * until it is restored; spend counted locally during a Redis partition is added to Redis when it returns.
 */
import Redis from 'ioredis';
import { chat, eventually } from '../helpers/client';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';
import { describeWithService, dropPostgresTable, POSTGRES_URL, REDIS_URL, scratchTable } from '../helpers/services';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { periodWindow } from '../../src/builtins/cost-log/budget-period';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';

// As in budgets.e2e.test.ts: 8 prompt + 100 output tokens on gpt-4o, $0.00102 each, worst case = real cost.
const COST_PICO = 1_020_000_000;
const BODY = { model: 'chat', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 };
const budgeted = { headers: { authorization: 'Bearer budget-key-000001' } };
const unbudgeted = { headers: { authorization: 'Bearer free-key-0000001' } };

function config(fakeUrl: string, keyName: string, budgetUsd: number, sink: string, budgetStore?: string): string {
  return `
providers:
  up: { api: openai, base_url: "${fakeUrl}", api_key: "sk-upstream-budgets" }
models:
  chat: { targets: [ { provider: up, model: gpt-4o } ] }
plugins:
  - use: auth
    keys:
      - { name: ${keyName}, key: "budget-key-000001", budget_usd: ${budgetUsd}, budget_period: daily }
      - { name: ${keyName}-free, key: "free-key-0000001" }
  - use: cost-log
    sink: ${sink}
    flush_interval_ms: 10
${budgetStore ? `    budget_store: ${budgetStore}\n` : ''}`;
}

async function metric(gw: InProcessGateway, name: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

let fake: FakeOpenAI;
const proxies: TcpProxy[] = [];
beforeAll(async () => {
  fake = await startFakeOpenAI();
  fake.on('gpt-4o', { usage: { prompt_tokens: 8, completion_tokens: 100 } });
});
afterAll(async () => {
  for (const p of proxies) await p.close();
  await fake.close();
});

describeWithService(['postgres'], 'a budget whose spend cannot be restored (e2e, PostgreSQL cut)', () => {
  const table = scratchTable('budget_restore');
  afterAll(() => dropPostgresTable(table));

  test('is enforced closed with 503 and a metric while the sink is down, and holds its spend once it is back', async () => {
    const keyName = `restore-${process.pid}`;
    // First life: the $0.002 budget is used up by two requests, written to PostgreSQL.
    let gw = await startInProcess({ config: config(fake.url, keyName, 0.002, `${POSTGRES_URL}?table=${table}`) });
    try {
      expect((await chat(gw.url, BODY, budgeted)).status).toBe(200);
      expect((await chat(gw.url, BODY, budgeted)).status).toBe(200);
      expect((await chat(gw.url, BODY, budgeted)).status).toBe(429);
    } finally {
      await gw.stop();
    }

    // Second life, with PostgreSQL cut off: restarting must not hand the key a fresh budget.
    const pgUrl = new URL(POSTGRES_URL);
    const proxy = await startTcpProxy(Number(pgUrl.port || 5432));
    proxies.push(proxy);
    proxy.cut();
    pgUrl.host = `127.0.0.1:${proxy.port}`;
    gw = await startInProcess({ config: config(fake.url, keyName, 0.002, `${pgUrl.toString()}?table=${table}`) });
    try {
      const calls = fake.calls.length;
      const refused = await Promise.all(Array.from({ length: 10 }, () => chat(gw.url, BODY, budgeted)));
      expect(refused.map((r) => r.status)).toEqual(Array(10).fill(503));
      expect(await refused[0].json()).toEqual({
        error: { type: expect.any(String), code: 'budget_unavailable', param: null, message: expect.stringContaining(`"${keyName}"`) },
      });
      expect(fake.calls.length).toBe(calls);
      expect(await metric(gw, 'switchyard_budget_unrestored_total')).toBeGreaterThanOrEqual(1);
      // A key without a budget does not depend on the sink.
      expect((await chat(gw.url, BODY, unbudgeted)).status).toBe(200);

      proxy.restore();
      // Restored on the next request: the budget was already used.
      const after = await chat(gw.url, BODY, budgeted);
      expect(after.status).toBe(429);
      expect(((await after.json()) as { error: { code: string } }).error.code).toBe('insufficient_quota');
    } finally {
      await gw.stop();
    }
  });
});

describeWithService(['redis'], 'spend counted during a Redis partition (e2e, Redis cut)', () => {
  test('is added to Redis when it returns, not overwritten by its older figure', async () => {
    const keyName = `partition-${process.pid}-${Date.now()}`;
    const proxy = await startTcpProxy(Number(new URL(REDIS_URL).port || 6379));
    proxies.push(proxy);
    // $0.01: nine requests fit below it ($0.00918), the tenth overshoots, the eleventh is refused.
    const cutOff = await startInProcess({ config: config(fake.url, keyName, 0.01, 'sqlite://./spend.db', `redis://127.0.0.1:${proxy.port}`) });
    const direct = await startInProcess({ config: config(fake.url, keyName, 0.01, 'sqlite://./spend.db', REDIS_URL) });
    const redis = new Redis(REDIS_URL);
    const counterKey = `switchyard:budget:${keyName}:${periodWindow('daily', Date.now()).id}`;
    try {
      expect((await chat(cutOff.url, BODY, budgeted)).status).toBe(200);
      // The request settles just after its answer: wait for it to land before the partition starts.
      await eventually(async () => Number(await redis.get(counterKey)) === COST_PICO);
      proxy.cut();
      await cutOff.waitForLog((r) => String(r.message).includes('budgets: Redis') && String(r.message).includes('unreachable'));
      for (let i = 0; i < 3; i++) expect((await chat(cutOff.url, BODY, budgeted)).status).toBe(200);
      for (let i = 0; i < 4; i++) expect((await chat(direct.url, BODY, budgeted)).status).toBe(200);
      expect(Number(await redis.get(counterKey))).toBe(5 * COST_PICO);

      proxy.restore();
      await eventually(async () => Number(await redis.get(counterKey)) === 8 * COST_PICO, 10_000);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await chat(direct.url, BODY, budgeted)).status);
      expect(statuses).toEqual([200, 200, 429]);
      expect((await chat(cutOff.url, BODY, budgeted)).status).toBe(429);
    } finally {
      redis.disconnect();
      await cutOff.stop();
      await direct.stop();
    }
  });
});
