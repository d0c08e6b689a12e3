/**
 * The dashboard's Providers page with `--workers 2`: whichever worker answers, it counts both workers' errors per
 * target and kind, and shows the rate-limit headroom an upstream reported to either (cluster/dashboard-sync.ts).
 */
import { OPENAI_RATE_LIMIT_HEADERS, startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { chat, eventually } from '../helpers/client';
import type { Daemon } from '../helpers/daemon';
import { dashboardLogin, startTwoWorkers, workersThatAnswered } from './workers-pid-plugin';

const ADMIN_KEY = 'workers-providers-admin-key-0001';
const CLIENT_KEY = 'sk-client-workers-providers-0001';

const config = (fakeUrl: string) => `
server:
  dashboard: { enabled: true, store: memory }
providers:
  up: { api: openai, base_url: "${fakeUrl}", api_key: "sk-upstream-workers-providers" }
models:
  broken: { targets: [ { provider: up, model: gpt-4o-mini } ] }
  chat: { targets: [ { provider: up, model: gpt-4o } ] }
plugins:
  - use: ./pid.js
  - use: auth
    admin_key: "${ADMIN_KEY}"
    keys: [ { name: team, key: "${CLIENT_KEY}", models: ["*"] } ]
`;

interface ProvidersPage {
  errors: { target: string; failures: number; by_kind: Record<string, number> }[];
  rate_limits: { provider: string; model: string; budgets: { requests?: { limit: number | null; remaining: number | null } } }[];
}

let fake: FakeOpenAI;
let gw: Daemon;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  gw = await startTwoWorkers(config(fake.url));
}, 60_000);
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

/** A request on a fresh connection, so node:cluster hands it to the next worker. */
const ask = (model: string, n: number) =>
  chat(gw.url, { model, messages: [{ role: 'user', content: `q${n}` }] }, { headers: { connection: 'close', authorization: `Bearer ${CLIENT_KEY}` } });

/** Four pages, each on a fresh connection: both workers answer. */
async function pages(cookie: string): Promise<ProvidersPage[]> {
  const out: ProvidersPage[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await fetch(`${gw.url}/ui/api/providers`, { headers: { cookie, connection: 'close' } });
    expect(res.status).toBe(200);
    out.push((await res.json()) as ProvidersPage);
  }
  return out;
}

test("every worker's Providers page counts both workers' errors and shows headroom either saw", async () => {
  fake.on('gpt-4o-mini', { status: 503 });
  fake.on('gpt-4o', { headers: OPENAI_RATE_LIMIT_HEADERS });
  const failed = [];
  for (let i = 0; i < 4; i++) failed.push(await ask('broken', i));
  for (const r of failed) await r.body?.cancel();
  // Both workers took failing requests: without sharing, each page would count only its own.
  expect(workersThatAnswered(failed)).toBe(2);
  const called = fake.callsFor('gpt-4o-mini').length;
  expect(called).toBeGreaterThanOrEqual(2);

  // One worker alone sees the upstream's rate-limit headers.
  const ok = await ask('chat', 0);
  expect(ok.status).toBe(200);
  await ok.body?.cancel();

  const cookie = await dashboardLogin(gw.url, ADMIN_KEY);
  const failuresOf = (p: ProvidersPage) => p.errors.find((e) => e.target.endsWith('gpt-4o-mini'))?.by_kind['status 503'] ?? 0;
  const headroomOf = (p: ProvidersPage) => p.rate_limits.find((h) => h.provider === 'up' && h.model === 'gpt-4o')?.budgets.requests;
  let last: ProvidersPage[] = [];
  await eventually(async () => {
    last = await pages(cookie);
    return last.every((p) => failuresOf(p) === called && headroomOf(p) !== undefined);
  }, 10_000).catch(() => undefined);
  expect(last.map(failuresOf)).toEqual([called, called, called, called]);
  expect(last.map(headroomOf)).toEqual(new Array(4).fill({ limit: 500, remaining: 499, reset_s: expect.any(Number) }));
}, 60_000);
