/**
 * The cooldown circuit breaker through the real gateway: a failing target is skipped (the fake upstream sees no
 * call) until its cooldown ends, one probe then restores it, and /health/ready shows the state throughout.
 */
import { readError } from '../helpers/answers';
import { gatewayWithFake } from '../helpers/rig';
import { chat } from '../helpers/client';

const config = (url: string) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-up", timeout_ms: 3000 }
cooldown: { failures: 2, window_s: 60, duration_s: 2 }
models:
  pair:    { strategy: ordered, targets: [ { provider: up, model: dead }, { provider: up, model: alive } ] }
  lonely:  { targets: [ { provider: up, model: lonely-dead } ], fallbacks: [rescue] }
  rescue:  { targets: [ { provider: up, model: rescuer } ] }
  solo:    { targets: [ { provider: up, model: solo } ] }
  relapse: { strategy: ordered, targets: [ { provider: up, model: relapsing }, { provider: up, model: steady } ] }
  relapse-free: { cooldown: { duration_s: 30 }, strategy: ordered, targets: [ { provider: up, model: survivor }, { provider: up, model: steady } ] }
`;

const rig = gatewayWithFake(config);

interface CooldownEntry {
  target: string;
  state: string;
  remaining_s: number;
}

async function cooldownOf(target: string): Promise<CooldownEntry | undefined> {
  const ready = (await (await fetch(`${rig.gw.url}/health/ready`)).json()) as { routing: { cooldowns: CooldownEntry[] } };
  return ready.routing.cooldowns.find((c) => c.target === target);
}

/**
 * The gateway runs in this process and its breakers read Date.now at each call: moving the clock forward ends a
 * cooldown without waiting for it.
 */
let skewMs = 0;
const realNow = Date.now;
beforeAll(() => jest.spyOn(Date, 'now').mockImplementation(() => realNow() + skewMs));
afterAll(() => jest.restoreAllMocks());
const passCooldown = (ms: number) => {
  skewMs += ms;
};

describe('cooldown', () => {
  test('a target that keeps failing is skipped during its cooldown (no upstream call), and one probe restores it', async () => {
    rig.fake.on('dead', { status: 500 });
    for (let i = 0; i < 2; i++) expect((await chat(rig.gw.url, { model: 'pair' })).headers.get('x-switchyard-model')).toBe('alive');
    expect(rig.fake.callsFor('dead')).toHaveLength(2);
    expect(await cooldownOf('up/dead')).toMatchObject({ state: 'cooling_down' });

    for (let i = 0; i < 3; i++) expect((await chat(rig.gw.url, { model: 'pair' })).headers.get('x-switchyard-model')).toBe('alive');
    expect(rig.fake.callsFor('dead')).toHaveLength(2); // zero calls while cooling down

    rig.fake.reset(); // the upstream recovers
    passCooldown(2100);
    expect(await cooldownOf('up/dead')).toMatchObject({ state: 'half_open' });
    const probe = await chat(rig.gw.url, { model: 'pair' });
    expect(probe.headers.get('x-switchyard-model')).toBe('dead');
    expect(await cooldownOf('up/dead')).toBeUndefined();
    expect((await chat(rig.gw.url, { model: 'pair' })).headers.get('x-switchyard-model')).toBe('dead');
    expect(rig.fake.callsFor('dead')).toHaveLength(2);
  });

  test('a failed probe puts the target back into cooldown at once', async () => {
    rig.fake.on('relapsing', { status: 503 });
    for (let i = 0; i < 2; i++) await chat(rig.gw.url, { model: 'relapse' });
    passCooldown(2100);
    expect((await chat(rig.gw.url, { model: 'relapse' })).headers.get('x-switchyard-model')).toBe('steady');
    expect(rig.fake.callsFor('relapsing')).toHaveLength(3); // the probe
    expect(await cooldownOf('up/relapsing')).toMatchObject({ state: 'cooling_down' });
    await chat(rig.gw.url, { model: 'relapse' });
    expect(rig.fake.callsFor('relapsing')).toHaveLength(3);
  });

  test('while every target of an alias cools down, requests go straight to its fallbacks', async () => {
    rig.fake.on('lonely-dead', { status: 502 });
    for (let i = 0; i < 2; i++) expect((await chat(rig.gw.url, { model: 'lonely' })).headers.get('x-switchyard-model')).toBe('rescuer');
    const res = await chat(rig.gw.url, { model: 'lonely' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('rescuer');
    expect(rig.fake.callsFor('lonely-dead')).toHaveLength(2);
  });

  test('cooldowns survive a config reload', async () => {
    rig.fake.on('survivor', { status: 500 });
    for (let i = 0; i < 2; i++) await chat(rig.gw.url, { model: 'relapse-free' });
    expect(rig.fake.callsFor('survivor')).toHaveLength(2);
    rig.gw.writeConfig(`${config(rig.fake.url)}  extra: { targets: [ { provider: up, model: alive } ] }\n`);
    await rig.gw.waitForLog((r) => r.message === 'config reloaded');
    expect(await cooldownOf('up/survivor')).toMatchObject({ state: 'cooling_down' });
    await chat(rig.gw.url, { model: 'relapse-free' });
    expect(rig.fake.callsFor('survivor')).toHaveLength(2);
  });

  test('when every target cools down and there is no fallback, the answer is 503 with Retry-After, without an upstream call', async () => {
    rig.fake.on('solo', { status: 500 });
    for (let i = 0; i < 2; i++) expect((await chat(rig.gw.url, { model: 'solo' })).status).toBe(502);
    const res = await chat(rig.gw.url, { model: 'solo' });
    expect(res.status).toBe(503);
    expect((await readError(res)).error.code).toBe('no_available_target');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1); // seconds until the probe
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(2);
    expect(rig.fake.callsFor('solo')).toHaveLength(2);
  });
});
