/**
 * The rate-limit plugin through the real daemon: x-ratelimit-* headers on every answer, shaping (over the limit
 * waits, then succeeds), 429 with Retry-After past max_queue_ms, one combined limit for two daemons sharing
 * Redis, and no failed requests while Redis is down.
 */
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { startDaemon, type Daemon } from '../helpers/daemon';
import { describeWithService, REDIS_URL, startPrivateRedis, type PrivateRedis } from '../helpers/services';
import { chat } from '../helpers/client';

function config(
  upstream: string,
  rateLimit: string,
  keys = '      - { name: steady, key: "steady-key-0001", rpm: 30 }\n      - { name: scarce, key: "scarce-key-0001", rpm: 1 }',
): string {
  return `
providers:
  up: { api: openai, base_url: "${upstream}", api_key: "sk-upstream-test" }
models:
  chat: { targets: [ { provider: up, model: gpt-4o-mini } ] }
plugins:
  - use: auth
    keys:
${keys}
  - use: rate-limit
${rateLimit}
`;
}

const as = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());

describe('rate-limit plugin (e2e, memory store)', () => {
  let gw: Daemon;
  beforeAll(async () => {
    gw = await startDaemon({ config: config(fake.url, '    max_queue_ms: 3000') });
  });
  afterAll(() => gw.stop());

  test('every answer carries OpenAI-style x-ratelimit-* headers', async () => {
    const res = await chat(gw.url, { model: 'chat' }, as('scarce-key-0001'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit-requests')).toBe('1');
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    // One request per minute: the bucket is full again a minute later, written the way OpenAI writes it.
    expect(res.headers.get('x-ratelimit-reset-requests')).toMatch(/^(59(\.\d+)?s|1m0s)$/);
  });

  test('a request that cannot get a slot within max_queue_ms gets 429 with Retry-After at once', async () => {
    const res = await chat(gw.url, { model: 'chat' }, as('scarce-key-0001'));
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(3);
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(await res.json()).toMatchObject({ error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' } });
  });

  test('requests over the rpm wait for a slot and then succeed', async () => {
    // 30 rpm: the burst of 30 passes at once; the 31st slot refills 2 s after the first request took one.
    const burst = await Promise.all(Array.from({ length: 30 }, () => chat(gw.url, { model: 'chat' }, as('steady-key-0001'))));
    expect(burst.map((r) => r.status)).toEqual(Array(30).fill(200));
    const shaped = await chat(gw.url, { model: 'chat' }, as('steady-key-0001'));
    expect(shaped.status).toBe(200);
    expect(shaped.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    // That it waited for a slot, rather than passing at once, shows in /metrics: an admitted request that waited,
    // and rejections from the test before.
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_ratelimit_wait_seconds_count\{result="admitted"\} [1-9]/);
    expect(metrics).toMatch(/switchyard_ratelimit_wait_seconds_count\{result="rejected"\} [1-9]/);
  });

  test('a config reload keeps the buckets: it does not hand every key a fresh minute', async () => {
    gw.writeConfig(
      config(fake.url, '    max_queue_ms: 3000').replace('models:\n', 'models:\n  added-by-reload: { targets: [ { provider: up, model: gpt-4o } ] }\n'),
    );
    await gw.waitForLog((r) => r.message === 'config reloaded');
    const res = await chat(gw.url, { model: 'chat' }, as('scarce-key-0001'));
    expect(res.status).toBe(429);
  });
});

describeWithService(['redis'], 'rate-limit plugin (e2e, shared Redis)', () => {
  test('two gateway instances sharing one Redis enforce one combined limit', async () => {
    const name = `shared-${Date.now()}`;
    const yaml = config(fake.url, `    store: ${REDIS_URL}\n    max_queue_ms: 0`, `      - { name: ${name}, key: "shared-key-0001", rpm: 4 }`);
    const [a, b] = await Promise.all([startDaemon({ config: yaml }), startDaemon({ config: yaml })]);
    try {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => chat((i % 2 ? a : b).url, { model: 'chat' }, as('shared-key-0001'))));
      const statuses = results.map((r) => r.status).sort((x, y) => x - y);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describeWithService(['redis-server binary'], 'rate-limit plugin (e2e, Redis goes away)', () => {
  let redis: PrivateRedis;
  let gw: Daemon;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    gw = await startDaemon({
      config: config(fake.url, `    store: ${redis.url}\n    max_queue_ms: 0`, '      - { name: busy, key: "busy-key-0001", rpm: 1000 }'),
    });
  });
  afterAll(async () => {
    await gw?.stop();
    await redis?.stop();
  });

  test('requests keep succeeding on local limits while Redis is stopped, and Redis is used again when it returns', async () => {
    expect((await chat(gw.url, { model: 'chat' }, as('busy-key-0001'))).status).toBe(200);
    await redis.stop();
    for (let i = 0; i < 5; i++) {
      const res = await chat(gw.url, { model: 'chat' }, as('busy-key-0001'));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit-requests')).toBe('1000');
    }
    await gw.waitForLog((r) => String(r.message).includes('unreachable'));
    await redis.start();
    await gw.waitForLog((r) => String(r.message).includes('is back'), 10_000);
    const res = await chat(gw.url, { model: 'chat' }, as('busy-key-0001'));
    expect(res.status).toBe(200);
    // The restarted Redis is empty: this is the first request its bucket has seen.
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('999');
  });
});
