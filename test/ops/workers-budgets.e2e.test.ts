/**
 * Budgets kept in memory with `--workers 2`: the primary holds the counters, so 20 concurrent requests spread
 * over both workers against a budget worth 2.5 of them admit exactly 3 (the figures of
 * test/money/budgets.e2e.test.ts); after a restart the spend is restored from the sink once, not once per
 * worker; and a worker whose primary does not answer refuses budgeted requests (503) rather than count alone.
 */
import http from 'node:http';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { chat, eventually } from '../helpers/client';
import type { Daemon } from '../helpers/daemon';
import { startTwoWorkers, workersThatAnswered } from './workers-pid-plugin';

// As in test/money/budgets.e2e.test.ts: 'hi' is 8 prompt tokens; with max_tokens 100 on gpt-4o the worst case is
// $0.00102, and the fake reports exactly that usage, so the real cost is the worst case.
const WORST_CASE_USD = 0.00102;
const BODY = { model: 'chat', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 };
const USAGE = { prompt_tokens: 8, completion_tokens: 100 };
const BUDGET_KEY = 'budget-key-workers-01';
const RESTORE_KEY = 'restore-key-workers-1';
const OPEN_KEY = 'open-key-workers-0001';

const config = (fakeUrl: string) => `
providers:
  up: { api: openai, base_url: "${fakeUrl}", api_key: "sk-upstream-workers" }
models:
  chat: { targets: [ { provider: up, model: gpt-4o } ] }
plugins:
  - use: ./pid.js
  - use: auth
    keys:
      - { name: shared, key: "${BUDGET_KEY}", budget_usd: ${WORST_CASE_USD * 2.5}, budget_period: daily }
      - { name: restored, key: "${RESTORE_KEY}", budget_usd: ${WORST_CASE_USD * 4.5}, budget_period: daily }
      - { name: open, key: "${OPEN_KEY}", budget_usd: 1, budget_period: daily }
  - use: cost-log
    sink: sqlite://./spend.db
`;

/** A request on a fresh connection, so node:cluster hands it to the next worker. */
const ask = (key: string, n: number) =>
  chat(gw.url, { ...BODY, messages: [{ role: 'user', content: `q${n}` }] }, { headers: { authorization: `Bearer ${key}`, connection: 'close' } });

async function startWorkers(dir?: string): Promise<Daemon> {
  return startTwoWorkers(config(fake.url), dir);
}

let fake: FakeOpenAI;
let gw: Daemon;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  gw = await startWorkers();
}, 60_000);
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});
beforeEach(() => {
  fake.reset();
  fake.on('gpt-4o', { usage: USAGE });
});

test('20 concurrent requests over two workers against a budget worth 2.5 of them admit exactly 3', async () => {
  // The fake holds every answer until each of the 20 has reached it or been refused: all are in flight together.
  let release!: () => void;
  fake.on('gpt-4o', { holdUntil: new Promise<void>((r) => (release = r)), usage: USAGE });
  let refused = 0;
  const sent = Array.from({ length: 20 }, (_, i) =>
    ask(BUDGET_KEY, i).then((res) => {
      if (res.status !== 200) refused++;
      return res;
    }),
  );
  try {
    await eventually(() => fake.callsFor('gpt-4o').length + refused === 20, 20_000);
  } finally {
    release();
  }
  const responses = await Promise.all(sent);
  expect(workersThatAnswered(responses)).toBe(2);
  // 0, 1 and 2 holds are below 2.5 worst cases; the fourth sees 3 and is refused, in whichever worker it runs.
  const admitted = responses.filter((r) => r.status === 200);
  expect(admitted).toHaveLength(3);
  for (const r of admitted) expect(r.headers.get('x-switchyard-cost-usd')).toBe(String(WORST_CASE_USD));
  for (const r of responses.filter((x) => x.status !== 200)) {
    expect(r.status).toBe(429);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('insufficient_quota');
  }
  expect(fake.callsFor('gpt-4o')).toHaveLength(3);
  // Spent past the budget: refused at admission by both workers, without reaching the upstream.
  const after = await Promise.all([ask(BUDGET_KEY, 100), ask(BUDGET_KEY, 101)]);
  expect(workersThatAnswered(after)).toBe(2);
  expect(after.map((r) => r.status)).toEqual([429, 429]);
  expect(fake.callsFor('gpt-4o')).toHaveLength(3);
}, 40_000);

test('after a restart the spend is restored from the sink once: a budget worth 4.5 with 2 spent admits 3 more', async () => {
  for (let i = 0; i < 2; i++) {
    const res = await ask(RESTORE_KEY, i);
    expect(res.status).toBe(200);
    await res.text();
  }
  expect(await gw.stop('SIGTERM')).toBe(0);
  gw = await startWorkers(gw.dir);
  // Spent 2 → 3 more (at 2, 3 and 4 spent); 4 more would mean nothing was restored, 1 that each worker added it.
  const statuses: number[] = [];
  const answers: Response[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await ask(RESTORE_KEY, 10 + i);
    statuses.push(res.status);
    answers.push(res);
    await res.text();
  }
  expect(workersThatAnswered(answers)).toBe(2);
  expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
  // The key of the first test stays spent past its budget across the restart too.
  expect((await ask(BUDGET_KEY, 200)).status).toBe(429);
}, 60_000);

/** A chat request over `agent`'s one kept-alive connection (fetch does not reliably reuse one here). */
function overAgent(agent: http.Agent, key: string): Promise<{ status: number; body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${gw.url}/v1/chat/completions`,
      { agent, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, reused: req.reusedSocket }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(BODY));
  });
}

test('a worker whose primary does not answer refuses budgeted requests with 503 budget_unavailable, then recovers', async () => {
  // A kept-alive connection reaches its worker without the primary (which hands out only new connections).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    expect((await overAgent(agent, OPEN_KEY)).status).toBe(200);
    gw.proc.kill('SIGSTOP');
    let stalled: Awaited<ReturnType<typeof overAgent>>;
    try {
      stalled = await overAgent(agent, OPEN_KEY);
    } finally {
      gw.proc.kill('SIGCONT');
    }
    expect(stalled.reused).toBe(true);
    expect(stalled.status).toBe(503);
    expect((JSON.parse(stalled.body) as { error: { code: string } }).error.code).toBe('budget_unavailable');
    expect(fake.callsFor('gpt-4o')).toHaveLength(1);
    expect((await overAgent(agent, OPEN_KEY)).status).toBe(200);
  } finally {
    agent.destroy();
  }
}, 30_000);
