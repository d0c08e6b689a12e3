/**
 * Routing state with `--workers 2`: a provider's concurrency limit of 2 is 2 in flight over both workers (the
 * primary keeps the slots, and frees those of a worker that dies); latency samples and in-flight counts reach every worker within a second or so; and
 * the active health check runs in one worker, whose result every worker shows and acts on.
 */
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { startFakeVendor, type FakeVendor } from '../../src/testing/fake-vendors';
import { chat, eventually } from '../helpers/client';
import type { Daemon } from '../helpers/daemon';
import { startTwoWorkers, workersThatAnswered } from './workers-pid-plugin';

const config = (fakeUrl: string, vendorUrl: string) => `
providers:
  slots: { api: openai, base_url: "${fakeUrl}", api_key: "sk-upstream-slots", limits: { concurrency: 2 } }
  timed: { api: openai, base_url: "${fakeUrl}", api_key: "sk-upstream-timed" }
  probed: { preset: ollama, base_url: "${vendorUrl}", health_check: { interval_s: 3600 } }
models:
  chat: { targets: [ { provider: slots, model: gpt-4o } ] }
  timed: { targets: [ { provider: timed, model: gpt-4o-mini } ] }
plugins:
  - use: ./pid.js
  - use: rate-limit
    store: memory
    max_queue_ms: 0
`;

interface Ready {
  providers: Record<string, { health_check?: { ok?: boolean; checked_at?: string; error?: string; pending?: boolean } }>;
  routing: { cooldowns: { target: string; reason: string }[]; targets: Record<string, { samples: number; in_flight: number }> };
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
const ask = (n: number, model = 'chat') => chat(gw.url, { model, messages: [{ role: 'user', content: `q${n}` }] }, { headers: { connection: 'close' } });
const ready = async () => (await (await fetch(`${gw.url}/health/ready`, { headers: { connection: 'close' } })).json()) as Ready;

/** Waits until `check` holds in four /health/ready answers in a row (on fresh connections: both workers answer). */
async function everyWorkerShows(check: (r: Ready) => boolean): Promise<void> {
  let agreeing = 0;
  await eventually(async () => {
    agreeing = check(await ready()) ? agreeing + 1 : 0;
    return agreeing >= 4;
  }, 15_000);
}

test('a provider limited to 2 concurrent calls gets exactly 2 in flight over both workers; the others are refused', async () => {
  let release!: () => void;
  fake.on('gpt-4o', { holdUntil: new Promise<void>((r) => (release = r)) });
  let refused = 0;
  const sent = Array.from({ length: 8 }, (_, i) =>
    ask(i).then((res) => {
      if (res.status !== 200) refused++;
      return res;
    }),
  );
  let responses: Response[];
  try {
    await eventually(() => fake.callsFor('gpt-4o').length === 2 && refused === 6, 20_000);
    // While the two are held, every worker counts both in flight (the other's within a report interval).
    await everyWorkerShows((r) => r.routing.targets['slots/gpt-4o']?.in_flight === 2);
  } finally {
    release();
    responses = await Promise.all(sent);
  }
  expect(workersThatAnswered(responses)).toBe(2);
  expect(responses.filter((r) => r.status === 200)).toHaveLength(2);
  for (const r of responses.filter((x) => x.status !== 200)) {
    expect(r.status).toBe(429);
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain('concurrency limit (2)');
  }
  // The slots came back when the answers ended: two more at once are admitted, on whichever workers.
  fake.reset();
  const again = await Promise.all([ask(10), ask(11)]);
  expect(again.map((r) => r.status)).toEqual([200, 200]);
}, 40_000);

test("each worker's latency samples reach the other: every worker counts all of them", async () => {
  const answers = await Promise.all([0, 1, 2, 3].map((i) => ask(30 + i, 'timed')));
  expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  expect(workersThatAnswered(answers)).toBe(2);
  // Each worker measured some of the four; within a report interval each counts all four.
  await everyWorkerShows((r) => r.routing.targets['timed/gpt-4o-mini']?.samples === 4);
}, 30_000);

test('the health check runs in one worker: the provider is probed once, and every worker shows the result and the cooldown', async () => {
  await everyWorkerShows(
    (r) =>
      r.providers.probed.health_check?.ok === false && r.routing.cooldowns.some((c) => c.target === 'probed:*' && c.reason.includes('health check failed')),
  );
  const seen = new Set<string | undefined>();
  for (let i = 0; i < 4; i++) seen.add((await ready()).providers.probed.health_check?.checked_at);
  expect(seen.size).toBe(1);
  expect(vendor.calls.filter((c) => c.method === 'GET' && c.path === '/v1/models')).toHaveLength(1);
}, 30_000);

test('a worker that dies holding a concurrency slot gives it back: the survivors can use it at once', async () => {
  fake.reset();
  let release!: () => void;
  fake.on('gpt-4o', { holdUntil: new Promise<void>((r) => (release = r)) });
  const listening = () => gw.logRecords().filter((r) => r.message === 'listening');
  // Two connections in a row: node:cluster hands them to the two workers in turn, so each holds one slot.
  let lost = 0;
  const held = (n: number) =>
    ask(n).then(
      (r) => r.status,
      () => (lost++, 0),
    );
  const first = held(40);
  await eventually(() => fake.callsFor('gpt-4o').length === 1, 10_000);
  const second = held(41);
  await eventually(() => fake.callsFor('gpt-4o').length === 2, 10_000);
  try {
    process.kill(Number(listening()[0].pid), 'SIGKILL');
    await eventually(() => lost === 1 && listening().length === 3, 30_000); // its client cut off; its replacement up
    // One slot is still held by the survivor, the dead worker's is free: of three more, exactly one gets in.
    let refused = 0;
    const more = [50, 51, 52].map((n) =>
      ask(n).then((res) => {
        if (res.status !== 200) refused++;
        return res;
      }),
    );
    await eventually(() => fake.callsFor('gpt-4o').length === 3 && refused === 2, 20_000);
    release();
    expect((await Promise.all(more)).filter((r) => r.status === 200)).toHaveLength(1);
    expect((await Promise.all([first, second])).sort((x, y) => x - y)).toEqual([0, 200]);
  } finally {
    release();
  }
}, 60_000);
