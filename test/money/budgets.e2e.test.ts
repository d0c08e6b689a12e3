/**
 * Budgets through the real gateway (in-process) against the fake OpenAI upstream: concurrent requests reserve
 * their worst case, so 20 at once against a budget worth 2.5 of them overshoot by at most one (on one instance,
 * and on two sharing Redis); unpriced models are refused for budgeted keys; aborted streams are charged.
 */
import { chat, eventually } from '../helpers/client';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';
import { describeWithService, REDIS_URL } from '../helpers/services';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';

const ADMIN = { authorization: 'Bearer admin-key-budgets-01' };
// 'hi' is estimated at 8 prompt tokens; with max_tokens 100 on gpt-4o ($2.50/$10 per 1M) the worst case is
// 8 × 2.5 + 100 × 10 µ$ = $0.00102, and the fake reports exactly that usage, so real cost = worst case.
const WORST_CASE_USD = 0.00102;
const BODY = { model: 'chat', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 };
const USAGE = { prompt_tokens: 8, completion_tokens: 100 };

function config(fakeUrl: string, keyName: string, budgetStore?: string): string {
  return `
providers:
  up: { api: openai, base_url: "${fakeUrl}", api_key: "sk-upstream-budgets" }
models:
  chat: { targets: [ { provider: up, model: gpt-4o } ] }
  mystery: { targets: [ { provider: up, model: my-finetune } ] }
plugins:
  - use: auth
    admin_key: "admin-key-budgets-01"
    keys:
      - { name: ${keyName}, key: "budget-key-000001", budget_usd: ${WORST_CASE_USD * 2.5}, budget_period: daily }
      - { name: ${keyName}-abort, key: "abort-key-000001", budget_usd: 0.002, budget_period: daily }
      - { name: ${keyName}-open, key: "open-key-0000001", budget_usd: 1, budget_period: daily, allow_unpriced: true }
      - { name: ${keyName}-free, key: "free-key-0000001" }
  - use: cost-log
    sink: sqlite://./spend.db
${budgetStore ? `    budget_store: ${budgetStore}\n` : ''}`;
}

const as = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

/** Spend recorded by a gateway for one key, USD. */
async function spentUsd(gw: InProcessGateway, keyName: string): Promise<number> {
  const res = await fetch(`${gw.url}/admin/spend?group_by=key`, { headers: ADMIN });
  const body = (await res.json()) as { data: { group: string | null; cost_usd: number }[] };
  return body.data.find((d) => d.group === keyName)?.cost_usd ?? 0;
}

/**
 * Sends 20 requests at once, spread over the gateways; the fake holds every answer until each of the 20 has
 * either reached it or been refused, so all of them are in flight together.
 */
async function twentyAtOnce(fake: FakeOpenAI, gateways: InProcessGateway[]): Promise<Response[]> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  fake.on('gpt-4o', { holdUntil: held, usage: USAGE });
  let refused = 0;
  const sent = Array.from({ length: 20 }, (_, i) =>
    chat(gateways[i % gateways.length].url, { ...BODY, messages: [{ role: 'user', content: `q${i}` }] }, as('budget-key-000001')).then((res) => {
      if (res.status !== 200) refused++;
      return res;
    }),
  );
  try {
    await eventually(() => fake.callsFor('gpt-4o').length + refused === 20, 10_000);
  } finally {
    release();
  }
  return Promise.all(sent);
}

async function expectBudgetHeld(responses: Response[], spent: number): Promise<void> {
  const admitted = responses.filter((r) => r.status === 200);
  const refused = responses.filter((r) => r.status !== 200);
  // 0, 1 and 2 holds are below 2.5 worst cases; the fourth sees 3 and is refused.
  expect(admitted.length).toBe(3);
  for (const r of refused) {
    expect(r.status).toBe(429);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('insufficient_quota');
  }
  for (const r of admitted) expect(r.headers.get('x-switchyard-cost-usd')).toBe(String(WORST_CASE_USD));
  expect(spent).toBeLessThanOrEqual(WORST_CASE_USD * 2.5 + WORST_CASE_USD + 1e-12);
}

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('budgets on one instance (e2e)', () => {
  let gw: InProcessGateway;
  beforeAll(async () => {
    gw = await startInProcess({ config: config(fake.url, 'solo') });
  });
  afterAll(() => gw.stop());

  test('20 concurrent requests against a budget worth 2.5 of them spend at most one worst case over it', async () => {
    const responses = await twentyAtOnce(fake, [gw]);
    await expectBudgetHeld(responses, await spentUsd(gw, 'solo'));
    expect(await spentUsd(gw, 'solo')).toBeCloseTo(3 * WORST_CASE_USD, 12);
    // Spent past the budget now: the next one is refused at admission, without reaching the upstream.
    const calls = fake.calls.length;
    expect((await chat(gw.url, BODY, as('budget-key-000001'))).status).toBe(429);
    expect(fake.calls.length).toBe(calls);
  });

  test('a budgeted key is refused a model without a price, unless the key allows unpriced models', async () => {
    fake.on('my-finetune', { usage: USAGE });
    const refused = await chat(gw.url, { model: 'mystery' }, as('abort-key-000001'));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: { type: 'permission_error', code: 'model_not_priced', param: 'model', message: expect.stringContaining('"my-finetune" has no price') },
    });
    expect(fake.callsFor('my-finetune')).toHaveLength(0);
    expect((await chat(gw.url, { model: 'mystery' }, as('open-key-0000001'))).status).toBe(200);
    expect((await chat(gw.url, { model: 'mystery' }, as('free-key-0000001'))).status).toBe(200);
  });

  test('aborted streams are charged: five on a $0.002 budget cannot spend past it', async () => {
    // Each stream relays about 410 of its 500 tokens ($0.004 at the provider) and then stalls; the client leaves.
    const stalled = new Promise(() => undefined);
    fake.on('gpt-4o', { reply: 'word '.repeat(400), streamErrorAfterChunks: 330, holdStreamError: stalled });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const abort = new AbortController();
      const res = await chat(
        gw.url,
        { ...BODY, max_tokens: 600, stream: true, messages: [{ role: 'user', content: `a${i}` }] },
        {
          ...as('abort-key-000001'),
          signal: abort.signal,
        },
      );
      statuses.push(res.status);
      if (res.status !== 200) {
        await res.text();
        continue;
      }
      const reader = res.body!.getReader();
      let received = 0;
      while (received < 1600) {
        const { value, done } = await reader.read();
        if (done) break;
        received += (new TextDecoder().decode(value).match(/word /g) ?? []).length * 5;
      }
      abort.abort();
      await reader.cancel().catch(() => undefined);
      // The gateway has given up the upstream stream before the next request starts.
      await eventually(() => fake.openRequests === 0);
    }
    // The first stream cost the provider at least $0.004, over the $0.002 budget: every later one is refused.
    expect(statuses).toEqual([200, 429, 429, 429, 429]);
    fake.reset();
    fake.on('gpt-4o', { usage: USAGE });
    expect((await chat(gw.url, BODY, as('abort-key-000001'))).status).toBe(429);
  });
});

describeWithService(['redis'], 'budgets on two instances sharing Redis (e2e)', () => {
  const keyName = `duo-${process.pid}-${Date.now()}`;
  let gws: InProcessGateway[] = [];
  beforeAll(async () => {
    gws = [await startInProcess({ config: config(fake.url, keyName, REDIS_URL) }), await startInProcess({ config: config(fake.url, keyName, REDIS_URL) })];
  });
  afterAll(async () => {
    for (const gw of gws) await gw.stop();
  });

  test('20 concurrent requests over two instances against a budget worth 2.5 of them spend at most one worst case over it', async () => {
    const responses = await twentyAtOnce(fake, gws);
    const spent = (await spentUsd(gws[0], keyName)) + (await spentUsd(gws[1], keyName));
    await expectBudgetHeld(responses, spent);
    for (const gw of gws) expect((await chat(gw.url, BODY, as('budget-key-000001'))).status).toBe(429);
  });
});
