/**
 * Login throttling through the real gateway: the sixth wrong admin key from one address within 15 minutes is a
 * 429 with Retry-After (the right key too, from that address), another address still logs in, the window passes
 * on the dashboard's injected clock, refusals are counted in /metrics and logged with no part of any submitted
 * key; behind a trusted proxy the address is the one the proxy saw in x-forwarded-for.
 */
import http from 'node:http';
import { dashboardStateOf } from '../../src/dashboard/state';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';
import { ADMIN_KEY, UPSTREAM_KEY } from './config';

const WRONG = (i: number) => `wrong-guess-${i}-zzqx`;

function config(upstream: string, hops: number): string {
  return `
server:
  dashboard: { enabled: true, trusted_proxy_hops: ${hops} }
providers:
  up: { api: openai, base_url: "${upstream}", api_key: "${UPSTREAM_KEY}" }
models:
  chat: { targets: [ { provider: up, model: gpt-4o } ] }
plugins:
  - use: auth
    admin_key: "${ADMIN_KEY}"
    keys: []
`;
}

/** POSTs a login from a chosen loopback address (Linux routes all of 127.0.0.0/8 to lo). */
function login(gw: InProcessGateway, key: string, from = '127.0.0.1', headers: Record<string, string> = {}) {
  const url = new URL(`${gw.url}/ui/login`);
  const body = new URLSearchParams({ key }).toString();
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake?.close();
});

describe('without a trusted proxy: counted by the socket address', () => {
  let gw: InProcessGateway;
  let clock: { t: number };
  beforeAll(async () => {
    gw = await startInProcess({ config: config(fake.url, 0) });
    const state = dashboardStateOf(gw.gateway);
    clock = { t: Date.parse('2026-12-01T12:00:00Z') };
    state.now = () => clock.t;
  });
  afterAll(async () => {
    await gw?.stop();
  });

  test('five wrong keys are 401s; the sixth is a 429 with Retry-After, and so is the right key from that address', async () => {
    for (let i = 0; i < 5; i++) expect((await login(gw, WRONG(i))).status).toBe(401);
    const sixth = await login(gw, WRONG(5));
    expect(sixth.status).toBe(429);
    expect(sixth.headers['retry-after']).toBe('900');
    expect(sixth.headers['set-cookie']).toBeUndefined();
    expect(sixth.text).toContain('Too many failed dashboard logins from this address. Try again in 900 s.');
    clock.t += 60_000;
    const right = await login(gw, ADMIN_KEY);
    expect(right.status).toBe(429);
    expect(right.headers['retry-after']).toBe('840');
    // x-forwarded-for is the client's own word here: it does not buy a fresh address.
    expect((await login(gw, ADMIN_KEY, '127.0.0.1', { 'x-forwarded-for': '198.51.100.23' })).status).toBe(429);
  });

  test('the right key from another address logs in', async () => {
    const other = await login(gw, ADMIN_KEY, '127.0.0.2');
    expect(other.status).toBe(303);
    expect(other.headers['set-cookie']?.[0]).toMatch(/^switchyard_session=/);
  });

  test('once the window has passed (injected clock) the address may log in again', async () => {
    clock.t += 14 * 60_000;
    expect((await login(gw, ADMIN_KEY)).status).toBe(303);
  });

  test('refusals are counted in /metrics and logged with the client address, never with any submitted key', async () => {
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    const count = (result: string) => Number(new RegExp(`switchyard_dashboard_logins_total\\{result="${result}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    expect(count('refused')).toBeGreaterThanOrEqual(5);
    expect(count('throttled')).toBeGreaterThanOrEqual(3);
    expect(count('ok')).toBeGreaterThanOrEqual(2);
    const records = gw.logRecords();
    const throttled = records.filter((r) => r.message === 'dashboard login throttled');
    expect(throttled).toHaveLength(3);
    expect(throttled[0]).toMatchObject({ client: '127.0.0.1', retry_after_s: '900' });
    expect(records.filter((r) => r.message === 'dashboard login refused')).toHaveLength(5);
    const logs = gw.logs().join('\n');
    expect(logs).not.toContain(ADMIN_KEY);
    expect(logs).not.toContain('wrong-guess');
    expect(logs).not.toContain('zzqx');
  });
});

describe('behind one trusted proxy: counted by the address the proxy saw', () => {
  let gw: InProcessGateway;
  beforeAll(async () => {
    gw = await startInProcess({ config: config(fake.url, 1) });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  test('one client locked out does not lock out another behind the same proxy, whatever it prepends', async () => {
    const from = (client: string, spoof = '') => ({ 'x-forwarded-for': `${spoof}${client}` });
    for (let i = 0; i < 5; i++) expect((await login(gw, WRONG(i), '127.0.0.1', from('203.0.113.7', `10.9.9.${i}, `))).status).toBe(401);
    expect((await login(gw, WRONG(9), '127.0.0.1', from('203.0.113.7', 'fresh-address, '))).status).toBe(429);
    expect((await login(gw, ADMIN_KEY, '127.0.0.1', from('203.0.113.8'))).status).toBe(303);
    expect(gw.logRecords().find((r) => r.message === 'dashboard login throttled')).toMatchObject({ client: '203.0.113.7' });
  });
});
