/**
 * What plugins contribute through the public API, seen from outside the daemon: fields on the request log line
 * (ctx.logField), series on /metrics (env.metrics) that keep counting across a reload, and a hook that hangs
 * failing its request with plugin_timeout instead of holding it.
 */
import { startDaemon, type Daemon } from '../helpers/daemon';

const config = (extra = '') => `
server: { plugin_hook_timeout_ms: 200 }
pricing:
  echo: { input: 1000, output: 1000 }
providers:
  demo: { api: mock }
models:
  demo: { targets: [ { provider: demo, model: echo } ] }
plugins:
  - use: ./hang.js
  - use: cache
  - use: cost-log
    sink: jsonl://./spend.jsonl
${extra}`;

// Hangs in onRequest for requests that ask it to: the hook's promise never settles.
const HANG_PLUGIN = `
module.exports = {
  name: 'hang',
  create: () => ({
    onRequest(ctx) {
      if (ctx.headers['x-hang'] === 'yes') return new Promise(() => {});
    },
  }),
};`;

function ask(gw: Daemon, headers: Record<string, string> = {}) {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hello there' }] }),
  });
}

function metric(text: string, line: RegExp): number | undefined {
  const m = line.exec(text);
  return m ? Number(m[1]) : undefined;
}

describe('plugins through their env', () => {
  let gw: Daemon;
  beforeAll(async () => {
    gw = await startDaemon({ config: config(), files: { 'hang.js': HANG_PLUGIN } });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  test("the request log line shows the cache plugin's result and the cost-log plugin's cost", async () => {
    const miss = await ask(gw);
    expect(miss.status).toBe(200);
    const missLine = await gw.waitForLog((r) => r.message === 'request' && r.request_id === miss.headers.get('x-request-id'));
    expect(missLine).toMatchObject({ cache: 'miss', cost_usd: expect.any(Number) });
    expect(missLine.cost_usd as number).toBeGreaterThan(0);

    const hit = await ask(gw);
    expect(hit.headers.get('x-switchyard-cache')).toBe('hit');
    const hitLine = await gw.waitForLog((r) => r.message === 'request' && r.request_id === hit.headers.get('x-request-id'));
    expect(hitLine).toMatchObject({ cache: 'hit', cost_usd: 0 });
  });

  test('plugin metrics are served at /metrics and keep counting across a config reload', async () => {
    const hits = async () =>
      metric(await (await fetch(`${gw.url}/metrics`)).text(), /^switchyard_cache_requests_total\{alias="demo",result="hit"\} (\d+)$/m) ?? 0;
    await ask(gw);
    const before = await hits();
    expect(before).toBeGreaterThanOrEqual(1);
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/^switchyard_cost_usd_total\{alias="demo",provider="demo",model="echo"\} [0-9.e-]+$/m);
    expect(text).toMatch(/^switchyard_spend_records_dropped_total 0$/m);

    gw.writeConfig(config('# edited'));
    await gw.waitForLog((r) => r.message === 'config reloaded');
    await ask(gw);
    expect(await hits()).toBe(before + 1);
  });

  test('a hook that never settles fails its request with 500 plugin_timeout naming the plugin and hook', async () => {
    const res = await ask(gw, { 'x-hang': 'yes' });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('plugin_timeout');
    expect(body.error.message).toContain('Plugin "hang" did not finish its onRequest hook');
    await gw.waitForLog((r) => r.message === 'plugin hook timed out' && r.plugin === 'hang' && r.hook === 'onRequest');
    expect((await ask(gw)).status).toBe(200);
  });
});
