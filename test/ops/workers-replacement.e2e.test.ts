/**
 * A worker that replaces one that died (`--workers 2`) starts with what the others already know: the open
 * cooldowns and the last health-check results, which the primary keeps from the broadcasts it relays.
 */
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { startFakeVendor, type FakeVendor } from '../../src/testing/fake-vendors';
import { chat, eventually } from '../helpers/client';
import type { Daemon } from '../helpers/daemon';
import { startTwoWorkers } from './workers-pid-plugin';

const config = (fakeUrl: string, vendorUrl: string) => `
providers:
  a: { api: openai, base_url: "${fakeUrl}", api_key: "sk-upstream-a" }
  b: { api: openai, base_url: "${fakeUrl}", api_key: "sk-upstream-b" }
  probed: { preset: ollama, base_url: "${vendorUrl}", health_check: { interval_s: 3600 } }
cooldown: { failures: 1, window_s: 600, duration_s: 600 }
models:
  chain: { strategy: ordered, targets: [ { provider: a, model: model-a }, { provider: b, model: model-b } ] }
plugins:
  - use: ./pid.js
`;

interface Ready {
  providers: Record<string, { health_check?: { ok?: boolean; checked_at?: string } }>;
  routing: { cooldowns: { target: string }[] };
}

let fake: FakeOpenAI;
let vendor: FakeVendor;
let gw: Daemon;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  vendor = await startFakeVendor('ollama', { models: ['m'] });
  vendor.down = true;
  gw = await startTwoWorkers(config(fake.url, vendor.url));
}, 60_000);
afterAll(async () => {
  await gw?.stop();
  await Promise.all([fake?.close(), vendor?.close()]);
});

/** A request on a fresh connection, so node:cluster hands it to the next worker. */
const ask = (n: number) => chat(gw.url, { model: 'chain', messages: [{ role: 'user', content: `q${n}` }] }, { headers: { connection: 'close' } });
const ready = async () => (await (await fetch(`${gw.url}/health/ready`, { headers: { connection: 'close' } })).json()) as Ready;
const knowsAll = (r: Ready) => r.providers.probed.health_check?.ok === false && r.routing.cooldowns.some((c) => c.target === 'a/model-a');

test('the replacement of a killed worker skips a target that tripped before it started, and shows the health result', async () => {
  fake.on('model-a', { status: 503 });
  expect((await ask(0)).status).toBe(200); // a fails once and trips; b serves
  expect(fake.callsFor('model-a')).toHaveLength(1);
  await eventually(async () => (await Promise.all([ready(), ready(), ready(), ready()])).every(knowsAll), 15_000);

  // Kill the worker that does not probe (the prober is the lowest id): the survivor has no reason to check again.
  const workers = new Map<string, string>();
  for (let i = 1; workers.size < 2; i++) {
    const res = await ask(i);
    workers.set(res.headers.get('x-test-worker-id')!, res.headers.get('x-test-worker-pid')!);
  }
  const victim = Math.max(...[...workers.keys()].map(Number));
  process.kill(Number(workers.get(String(victim))), 'SIGKILL');
  await eventually(() => gw.logRecords().filter((r) => r.message === 'listening').length === 3, 30_000);

  const answeredBy = new Set<string>();
  for (let i = 100; i < 106; i++) {
    const res = await ask(i);
    expect(res.status).toBe(200);
    answeredBy.add(res.headers.get('x-test-worker-id')!);
  }
  expect(answeredBy.has(String(victim + 1))).toBe(true);
  expect(fake.callsFor('model-a')).toHaveLength(1);
  for (let i = 0; i < 4; i++) expect(knowsAll(await ready())).toBe(true);
}, 60_000);
