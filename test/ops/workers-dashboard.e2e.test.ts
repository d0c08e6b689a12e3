/**
 * The dashboard with `--workers 2`: a login served by one worker holds on the other (the primary hands both one
 * session-signing key), a logout on one is refused on both, and wrong keys are counted once for both workers
 * (the primary keeps the login throttle).
 */
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { eventually } from '../helpers/client';
import type { Daemon } from '../helpers/daemon';
import { dashboardLogin, startTwoWorkers } from './workers-pid-plugin';

const ADMIN_KEY = 'workers-dash-admin-key-0001';

const config = (fakeUrl: string) => `
server:
  dashboard: { enabled: true, store: memory, login_max_failures: 3 }
providers:
  up: { api: openai, base_url: "${fakeUrl}", api_key: "sk-upstream-workers-dash" }
models:
  chat: { targets: [ { provider: up, model: gpt-4o-mini } ] }
plugins:
  - use: ./pid.js
  - use: auth
    admin_key: "${ADMIN_KEY}"
    keys: []
`;

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

/** Each on a fresh connection, which node:cluster hands to the next worker. */
async function statuses(cookie: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${gw.url}/ui/api/config`, { headers: { cookie, connection: 'close' } });
    out.push(res.status);
    await res.body?.cancel();
  }
  return out;
}

test('a session made by one worker is accepted by both; its logout is refused by both', async () => {
  const cookie = await dashboardLogin(gw.url, ADMIN_KEY);
  // Ten fresh connections alternate between the workers: with a session per worker, about half would be 401
  // (all ten passing by chance: 2^-10).
  expect(await statuses(cookie, 10)).toEqual(new Array(10).fill(200));

  const logout = await fetch(`${gw.url}/ui/logout`, { method: 'POST', headers: { cookie, connection: 'close' }, redirect: 'manual' });
  expect(logout.status).toBeLessThan(400);
  // The revocation reaches the other worker by one broadcast through the primary.
  await eventually(async () => (await statuses(cookie, 4)).every((s) => s === 401));
}, 60_000);

test('wrong keys are counted by the primary: three allowed in all, not three per worker', async () => {
  // Each guess on a fresh connection, so they alternate between the workers.
  const guesses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${gw.url}/ui/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
      body: `key=guess-${i}`,
      redirect: 'manual',
    });
    guesses.push(res.status);
    await res.body?.cancel();
  }
  // A count per worker would have refused six as 401 (three on each).
  expect(guesses).toEqual([401, 401, 401, 429, 429, 429]);
  // The right key is throttled too, on whichever worker: a success cannot be told from a refusal.
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${gw.url}/ui/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
      body: `key=${ADMIN_KEY}`,
      redirect: 'manual',
    });
    expect(res.status).toBe(429);
    await res.body?.cancel();
  }
}, 60_000);
