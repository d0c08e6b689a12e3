/**
 * The Providers page's data through the real gateway, against fakes: attempt failures counted per target by kind
 * (an HTTP 503, a first-byte timeout, a stream cut after it started), the rate-limit headroom an OpenAI-style and
 * an Anthropic upstream report in their headers, the active health checks' last results (one passing, one
 * failing), and the quality estimate a POST /v1/feedback rating makes.
 */
import { startFakeAnthropic, type FakeAnthropic } from '../../src/testing/fake-anthropic';
import { OPENAI_RATE_LIMIT_HEADERS, startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { chat, eventually } from '../helpers/client';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';
import { ADMIN_KEY, TEAM_KEY, UPSTREAM_KEY } from './config';

let fake: FakeOpenAI;
let down: FakeOpenAI;
let claude: FakeAnthropic;
let gw: InProcessGateway;
let cookie: string;
const team = { headers: { authorization: `Bearer ${TEAM_KEY}` } };

/* eslint-disable @typescript-eslint/no-explicit-any -- the page's JSON, read field by field */
type Page = Record<string, any>;

beforeAll(async () => {
  [fake, down, claude] = await Promise.all([startFakeOpenAI(), startFakeOpenAI(), startFakeAnthropic()]);
  down.on('*', { status: 503 });
  fake.on('gpt-4o', { headers: OPENAI_RATE_LIMIT_HEADERS });
  fake.on('m-503', { status: 503, errorMessage: `overloaded, key ${UPSTREAM_KEY} rejected` });
  fake.on('m-hang', { hang: true });
  const reset = new Date(Date.now() + 30_000).toISOString();
  claude.on('claude-x', {
    headers: {
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-requests-reset': reset,
      'anthropic-ratelimit-input-tokens-limit': '40000',
      'anthropic-ratelimit-input-tokens-remaining': '39000',
      'anthropic-ratelimit-input-tokens-reset': reset,
      'anthropic-ratelimit-output-tokens-limit': '8000',
      'anthropic-ratelimit-output-tokens-remaining': '7990',
      'anthropic-ratelimit-output-tokens-reset': reset,
    },
  });
  gw = await startInProcess({
    config: `
server:
  dashboard: { enabled: true }
providers:
  up: { api: openai, base_url: "${fake.url}", api_key: "${UPSTREAM_KEY}", first_byte_timeout_ms: 300, health_check: { interval_s: 3600 } }
  down: { api: openai, base_url: "${down.url}", api_key: "${UPSTREAM_KEY}", health_check: { interval_s: 3600 } }
  claude: { api: anthropic, base_url: "${claude.url}", api_key: "sk-ant-dashboard-test" }
feedback: { store: memory }
models:
  chat: { targets: [ { provider: up, model: gpt-4o } ] }
  broken: { targets: [ { provider: up, model: m-503 } ] }
  slow: { targets: [ { provider: up, model: m-hang } ] }
  cut: { targets: [ { provider: up, model: m-cut } ] }
  sonnet: { targets: [ { provider: claude, model: claude-x } ] }
plugins:
  - use: auth
    admin_key: "${ADMIN_KEY}"
    keys:
      - { name: team-a, key: "${TEAM_KEY}" }
`,
  });
  const login = await fetch(`${gw.url}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key: ADMIN_KEY }).toString(),
  });
  expect(login.status).toBe(303);
  cookie = login.headers.get('set-cookie')!.split(';')[0];
});
afterAll(async () => {
  await gw?.stop();
  await Promise.all([fake?.close(), down?.close(), claude?.close()]);
});

async function providersPage(): Promise<Page> {
  const res = await fetch(`${gw.url}/ui/api/providers`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

const ask = (model: string, stream = false) => chat(gw.url, { model, stream, messages: [{ role: 'user', content: 'hi' }] }, team);

describe('errors by kind', () => {
  test('a 503 and a first-byte timeout are counted under their kinds for their targets, with the last message redacted', async () => {
    expect((await ask('chat')).status).toBe(200);
    expect((await ask('broken')).status).toBe(503);
    expect((await ask('slow')).status).toBe(504);
    const page = await providersPage();
    const byTarget = new Map(page.errors.map((e: Page) => [e.target, e]));
    expect(byTarget.get('up/m-503')).toMatchObject({ attempts: 1, failures: 1, by_kind: { 'status 503': 1 } });
    expect(byTarget.get('up/m-hang')).toMatchObject({ attempts: 1, failures: 1, by_kind: { first_byte_timeout: 1 } });
    expect(byTarget.get('up/gpt-4o')).toMatchObject({ failures: 0, by_kind: {}, last_error: null });
    const last = (byTarget.get('up/m-503') as Page).last_error;
    expect(last.kind).toBe('status 503');
    expect(last.message).toContain('overloaded');
    expect(JSON.stringify(page)).not.toContain(UPSTREAM_KEY);
    // Most failures first; the healthy target last.
    expect(page.errors.at(-1).target).toBe('up/gpt-4o');
  });

  test('a stream cut after its first chunks counts as mid_stream for the target that served it', async () => {
    // Paused after two chunks until the client has the answer's start, then the connection drops: a cut after commit.
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    fake.on('m-cut', { reply: 'one two three four', dropAfterChunks: 2, pauseAfterChunks: 2, pauseUntil: paused });
    const res = await ask('cut', true);
    expect(res.status).toBe(200);
    resume();
    expect(await res.text()).toContain('upstream_stream_failed');
    await eventually(async () => (await providersPage()).errors.some((e: Page) => e.target === 'up/m-cut' && e.by_kind.mid_stream === 1));
    const cut = (await providersPage()).errors.find((e: Page) => e.target === 'up/m-cut');
    expect(cut).toMatchObject({ attempts: 1, failures: 1, last_error: { kind: 'mid_stream' } });
  });
});

describe('rate-limit headroom', () => {
  test("an OpenAI-style upstream's x-ratelimit-* headers show as remaining of limit per provider and model", async () => {
    expect((await ask('chat')).status).toBe(200);
    const page = await providersPage();
    const row = page.rate_limits.find((r: Page) => r.provider === 'up' && r.model === 'gpt-4o');
    expect(row.budgets.requests).toEqual({ limit: 500, remaining: 499, reset_s: expect.any(Number) });
    expect(row.budgets.requests.reset_s).toBeLessThanOrEqual(0.1);
    expect(row.budgets.tokens).toMatchObject({ limit: 30000, remaining: 29000 });
    expect(row.budgets.tokens.reset_s).toBeGreaterThan(300);
    expect(row.budgets.tokens.reset_s).toBeLessThanOrEqual(360);
    expect(Number.isNaN(Date.parse(row.seen_at))).toBe(false);
  });

  test('a streamed answer updates the headroom too, and the newest report wins', async () => {
    fake.on('gpt-4o', { headers: { ...OPENAI_RATE_LIMIT_HEADERS, 'x-ratelimit-remaining-requests': '7' } }, 1);
    const res = await ask('chat', true);
    expect(res.status).toBe(200);
    await res.text();
    const row = (await providersPage()).rate_limits.find((r: Page) => r.provider === 'up' && r.model === 'gpt-4o');
    expect(row.budgets.requests).toMatchObject({ limit: 500, remaining: 7 });
  });

  test("Anthropic's requests, input and output token budgets are each shown", async () => {
    expect((await ask('sonnet')).status).toBe(200);
    const row = (await providersPage()).rate_limits.find((r: Page) => r.provider === 'claude');
    expect(row.model).toBe('claude-x');
    expect(row.budgets.requests).toMatchObject({ limit: 50, remaining: 49 });
    expect(row.budgets.input_tokens).toMatchObject({ limit: 40000, remaining: 39000 });
    expect(row.budgets.output_tokens).toMatchObject({ limit: 8000, remaining: 7990 });
    expect(row.budgets.requests.reset_s).toBeGreaterThan(0);
    expect(row.budgets.requests.reset_s).toBeLessThanOrEqual(30);
  });
});

describe('health checks', () => {
  test('a passing and a failing check show with kind, interval, time, latency and error; a provider without one says so', async () => {
    await eventually(async () => {
      const p = (await providersPage()).providers;
      return p.every((x: Page) => x.health_check === null || x.health_check.last !== null);
    });
    const byName = new Map((await providersPage()).providers.map((p: Page) => [p.name, p]));
    const up = (byName.get('up') as Page).health_check;
    expect(up).toMatchObject({ kind: 'models', interval_s: 3600, last: { ok: true, kind: 'models' } });
    expect(typeof up.last.latency_ms).toBe('number');
    expect(Number.isNaN(Date.parse(up.last.checked_at))).toBe(false);
    expect((byName.get('down') as Page).health_check.last).toMatchObject({ ok: false, status: 503, error: 'HTTP 503' });
    expect((byName.get('down') as Page).cooldown).toMatchObject({ reason: 'health check failed: HTTP 503' });
    expect((byName.get('claude') as Page).health_check).toBeNull();
  });
});

describe('quality estimates', () => {
  test('a rating given through POST /v1/feedback shows as the estimate of its alias, target and tier', async () => {
    expect((await providersPage()).quality).toEqual([]);
    const res = await ask('chat');
    const id = res.headers.get('x-request-id')!;
    const rated = await fetch(`${gw.url}/v1/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEAM_KEY}` },
      body: JSON.stringify({ request_id: id, score: 1 }),
    });
    expect(rated.status).toBe(200);
    const { tier } = (await rated.json()) as { tier: string };
    const quality = (await providersPage()).quality as Page[];
    // One rating of 1 on a Beta(1, 1) prior: mean 2/3, in the all-tiers cell and the request's own tier.
    expect(quality).toEqual(
      expect.arrayContaining([
        { alias: 'chat', target: 'up/gpt-4o', tier: '*', mean: 0.667, ratings: 1 },
        { alias: 'chat', target: 'up/gpt-4o', tier, mean: 0.667, ratings: 1 },
      ]),
    );
    expect(quality).toHaveLength(2);
  });
});
