/**
 * `switchyard start --workers 2` as a real process tree: both workers serve one port; rate limits kept in memory
 * hold across workers (the primary keeps the buckets); a cooldown tripped in one worker holds in the other;
 * /metrics sums both; SIGHUP reloads every worker; SIGTERM drains them and the primary exits 0; a config whose
 * feedback would be split per worker is refused before any worker starts. Budgets: workers-budgets.e2e.test.ts;
 * concurrency slots, statistics and health checks: workers-routing.e2e.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { eventually } from '../helpers/client';
import { startDaemon, type Daemon } from '../helpers/daemon';

const KEY = 'sk-workers-test-000000000001';
const FREE_KEY = 'sk-workers-free-000000000002';
const config = (fakeUrl: string, extraAlias = '') => `
providers:
  demo: { api: mock }
  flaky: { api: openai, base_url: "${fakeUrl}", api_key: "sk-flaky-0001" }
  steady: { api: openai, base_url: "${fakeUrl}", api_key: "sk-steady-0002" }
cooldown: { failures: 1, window_s: 60, duration_s: 120 }
models:
  demo: { targets: [ { provider: demo, model: echo } ] }
  failover: { strategy: ordered, targets: [ { provider: flaky, model: model-a }, { provider: steady, model: model-b } ] }
${extraAlias}
plugins:
  - use: auth
    keys:
      - { name: limited, key: "${KEY}", models: ["*"], rpm: 5 }
      - { name: free, key: "${FREE_KEY}", models: ["*"] }
  - use: rate-limit
    store: memory
`;

let fake: FakeOpenAI;
let gw: Daemon;

function listeningWorkers(d: Daemon): number {
  return d.logRecords().filter((r) => r.message === 'listening').length;
}

beforeAll(async () => {
  fake = await startFakeOpenAI();
  gw = await startDaemon({ config: config(fake.url), args: ['--workers', '2'] });
  await eventually(() => listeningWorkers(gw) === 2, 30_000);
}, 60_000);
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

/** A request on a fresh connection, so node:cluster may hand it to either worker. */
function ask(model: string, key = KEY): Promise<Response> {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, connection: 'close' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

describe('--workers 2', () => {
  test('two worker processes listen on the one port', () => {
    const pids = new Set(
      gw
        .logRecords()
        .filter((r) => r.message === 'listening')
        .map((r) => r.pid),
    );
    const ports = new Set(
      gw
        .logRecords()
        .filter((r) => r.message === 'listening')
        .map((r) => r.port),
    );
    expect(pids.size).toBe(2);
    expect(ports.size).toBe(1);
    expect(gw.logRecords().some((r) => r.message === 'workers started' && r.workers === 2)).toBe(true);
  });

  test('a key limited to 5 requests a minute gets 5 across both workers, and /metrics counts all of them', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await ask('demo');
      statuses.push(res.status);
      await res.text();
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    const metrics = await (await fetch(`${gw.url}/metrics`, { headers: { connection: 'close' } })).text();
    const count = (status: string) =>
      Number(
        metrics
          .split('\n')
          .find((l) => l.startsWith('switchyard_requests_total{') && l.includes('alias="demo"') && l.includes(`status="${status}"`))
          ?.split(' ')
          .pop(),
      );
    expect(count('200')).toBe(5);
    expect(count('429')).toBe(3);
  });

  test('a target that trips its breaker in one worker is skipped by the other', async () => {
    fake.on('model-a', { status: 500 });
    const first = await ask('failover', FREE_KEY);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-switchyard-model')).toBe('model-b');
    await first.text();
    const calls = () => fake.calls.filter((c) => c.body?.model === 'model-a').length;
    expect(calls()).toBe(1);
    // Every worker shows the cooldown (asked on fresh connections until four answers in a row agree)...
    let agreeing = 0;
    await eventually(async () => {
      const ready = (await (await fetch(`${gw.url}/health/ready`, { headers: { connection: 'close' } })).json()) as {
        routing: { cooldowns: { target: string }[] };
      };
      agreeing = ready.routing.cooldowns.some((c) => c.target === 'flaky/model-a') ? agreeing + 1 : 0;
      return agreeing >= 4;
    }, 10_000);
    // ...so no worker calls the tripped target again.
    for (let i = 0; i < 6; i++) {
      const res = await ask('failover', FREE_KEY);
      expect(res.headers.get('x-switchyard-model')).toBe('model-b');
      await res.text();
    }
    expect(calls()).toBe(1);
  });
});

describe('reload and drain with workers', () => {
  test('SIGHUP reloads every worker', async () => {
    const before = gw.logRecords().filter((r) => r.message === 'config reloaded').length;
    gw.writeConfig(config(fake.url, '  extra: { targets: [ { provider: demo, model: echo } ] }'));
    gw.proc.kill('SIGHUP');
    await eventually(() => gw.logRecords().filter((r) => r.message === 'config reloaded').length >= before + 2, 20_000);
  });

  test('SIGTERM drains both workers and the primary exits 0', async () => {
    expect(await gw.stop('SIGTERM')).toBe(0);
    expect(gw.logRecords().some((r) => r.message === 'all workers stopped')).toBe(true);
    expect(gw.logRecords().filter((r) => r.message === 'shutdown complete')).toHaveLength(2);
  });
});

test('feedback kept in memory is refused with several workers, before any worker starts', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-workers-'));
  const file = path.join(dir, 'proxy.yaml');
  writeFileSync(
    file,
    `providers: { demo: { api: mock } }
models: { demo: { targets: [ { provider: demo, model: echo } ] } }
feedback:
  store: memory
`,
  );
  const r = spawnSync(process.execPath, [path.resolve(__dirname, '../../dist/cli.js'), 'start', '--config', file, '--workers', '2'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/proxy\.yaml:\d+:\d+: .*feedback needs sqlite:\/\/, postgres:\/\/ or redis:\/\//);
});
