/**
 * Retries and backoff through the real daemon: same-target retries on transient failures, Retry-After honoured
 * under the cap and turned into a cooldown above it, no retry of client errors, rejected credentials, and the
 * alias's timeout bounding all of it.
 */
import timers from 'node:timers/promises';
import { readError } from '../helpers/answers';
import { gatewayWithFake } from '../helpers/rig';
import { chat } from '../helpers/client';

const config = (url: string) => `
providers:
  up:    { api: openai, base_url: "${url}", api_key: "sk-up", timeout_ms: 3000 }
  spare: { api: openai, base_url: "${url}", api_key: "sk-spare", timeout_ms: 3000 }
  badkey: { api: openai, base_url: "${url}", api_key: "sk-badkey", timeout_ms: 3000 }
retry: { attempts: 3, backoff_ms: 20, max_backoff_ms: 1000 }
cooldown: { failures: 100, window_s: 60, duration_s: 30 }
models:
  flaky:    { strategy: ordered, targets: [ { provider: up, model: flaky },    { provider: spare, model: backup } ] }
  broken:   { strategy: ordered, targets: [ { provider: up, model: broken },   { provider: spare, model: backup } ] }
  waits:    { strategy: ordered, targets: [ { provider: up, model: waits },    { provider: spare, model: backup } ] }
  limited:  { strategy: ordered, targets: [ { provider: up, model: limited },  { provider: spare, model: backup } ] }
  picky:    { strategy: ordered, targets: [ { provider: up, model: picky },    { provider: spare, model: backup } ] }
  creds:    { strategy: ordered, targets: [ { provider: badkey, model: creds }, { provider: spare, model: backup } ] }
  creds2:   { targets: [ { provider: badkey, model: other-model } ], fallbacks: [backup] }
  backup:   { targets: [ { provider: spare, model: backup } ] }
  bounded:
    timeout_ms: 600
    retry: { attempts: 50, backoff_ms: 150, max_backoff_ms: 150 }
    targets: [ { provider: up, model: always-down } ]
`;

const rig = gatewayWithFake(config);

async function cooldowns(): Promise<{ target: string; state: string; remaining_s: number }[]> {
  const ready = (await (await fetch(`${rig.gw.url}/health/ready`)).json()) as {
    routing: { cooldowns: { target: string; state: string; remaining_s: number }[] };
  };
  return ready.routing.cooldowns;
}

/**
 * Records the backoff waits the gateway asks for (retry.ts sleeps with node:timers/promises) and skips them: the
 * gateway runs in this process, so the test reads the wait it chose instead of timing it.
 */
function recordBackoffWaits(): number[] {
  const waits: number[] = [];
  jest.spyOn(timers, 'setTimeout').mockImplementation(((ms?: number) => {
    waits.push(Number(ms));
    return Promise.resolve(undefined);
  }) as typeof timers.setTimeout);
  return waits;
}

afterEach(() => jest.restoreAllMocks());

describe('retries', () => {
  test('a transient failure is retried on the same target, and the retry answers', async () => {
    rig.fake.on('flaky', { status: 503 }, 1);
    const res = await chat(rig.gw.url, { model: 'flaky' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('flaky');
    expect(rig.fake.callsFor('flaky')).toHaveLength(2);
    expect(rig.fake.callsFor('backup')).toHaveLength(0);
  });

  test('after `attempts` failed tries the next target answers', async () => {
    rig.fake.on('broken', { status: 500 });
    const res = await chat(rig.gw.url, { model: 'broken' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('backup');
    expect(rig.fake.callsFor('broken')).toHaveLength(3);
  });

  test("an upstream's Retry-After under the backoff cap is waited for, then the same target answers", async () => {
    rig.fake.on('waits', { status: 429, headers: { 'retry-after-ms': '400' } }, 1);
    const waits = recordBackoffWaits();
    const res = await chat(rig.gw.url, { model: 'waits' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('waits');
    expect(rig.fake.callsFor('waits')).toHaveLength(2);
    // The gateway waited as asked, not its own (20 ms) backoff.
    expect(waits).toEqual([400]);
  });

  test("OpenAI's x-ratelimit-reset-requests counts as a Retry-After", async () => {
    rig.fake.on('waits', { status: 429, headers: { 'x-ratelimit-reset-requests': '300ms' } }, 1);
    const waits = recordBackoffWaits();
    const res = await chat(rig.gw.url, { model: 'waits' });
    expect(res.headers.get('x-switchyard-model')).toBe('waits');
    expect(rig.fake.callsFor('waits')).toHaveLength(2);
    expect(waits).toEqual([300]);
  });

  test('a Retry-After above the cap moves on at once and cools the target down for that long', async () => {
    rig.fake.on('limited', { status: 429, headers: { 'retry-after': '30' } });
    const waits = recordBackoffWaits();
    const res = await chat(rig.gw.url, { model: 'limited' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('backup');
    expect(rig.fake.callsFor('limited')).toHaveLength(1);
    expect(waits).toEqual([]); // moved on without waiting the 30 s it asked for

    const again = await chat(rig.gw.url, { model: 'limited' });
    expect(again.headers.get('x-switchyard-model')).toBe('backup');
    expect(rig.fake.callsFor('limited')).toHaveLength(1); // skipped: no call during the cooldown
    const entry = (await cooldowns()).find((c) => c.target === 'up/limited');
    expect(entry).toMatchObject({ state: 'cooling_down' });
    expect(entry!.remaining_s).toBeGreaterThan(0);
    expect(entry!.remaining_s).toBeLessThanOrEqual(30);
  });

  test('a 400 the client caused is returned at once: no retry, no other target', async () => {
    rig.fake.on('picky', { status: 400, errorMessage: 'temperature must be <= 2', errorCode: 'invalid_value' });
    const res = await chat(rig.gw.url, { model: 'picky' });
    expect(res.status).toBe(400);
    expect((await readError(res)).error.message).toBe('temperature must be <= 2');
    expect(rig.fake.calls).toHaveLength(1);
  });

  test('a 401 from an upstream moves to the next target, cools down that provider and is logged as an error', async () => {
    rig.fake.on('creds', { status: 401 });
    const res = await chat(rig.gw.url, { model: 'creds' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('backup');
    expect(rig.fake.callsFor('creds')).toHaveLength(1); // credentials are not retried
    await rig.gw.waitForLog((r) => r.message === 'upstream rejected the gateway credentials' && r.level === 'error');

    // The whole provider cools down: another alias using it goes straight to its fallback.
    const other = await chat(rig.gw.url, { model: 'creds2' });
    expect(other.status).toBe(200);
    expect(rig.fake.callsFor('other-model')).toHaveLength(0);
    expect((await cooldowns()).map((c) => c.target)).toContain('badkey:*');
  });

  test("the alias's timeout_ms bounds the total time spent retrying", async () => {
    rig.fake.on('always-down', { status: 502 });
    const res = await chat(rig.gw.url, { model: 'bounded' });
    expect(res.status).toBe(504);
    expect((await readError(res)).error.code).toBe('routing_timeout');
    // 50 tries 150 ms apart need 7 s; the 600 ms budget ended them early.
    expect(rig.fake.callsFor('always-down').length).toBeLessThan(50);
    expect(rig.fake.callsFor('always-down').length).toBeGreaterThanOrEqual(2);
  });
});
