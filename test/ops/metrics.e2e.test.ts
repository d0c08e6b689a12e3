/**
 * GET /metrics through the real gateway (in-process): Prometheus text, switchyard_ series, labels bounded to config names,
 * the admin-key guard, and no secrets in the output.
 */
import { startFakeOpenAI } from '../../src/testing/fake-openai';
import { gatewayWithFakes } from '../helpers/rig';

const PROVIDER_KEY = 'sk-metrics-provider-secret-7788';
const ADMIN_KEY = 'admin-key-for-metrics-0042';

// Stands in for the cache and cost-log plugins: it reports each request through env.metrics the way they do.
const FAKE_COST_PLUGIN = `
module.exports = {
  name: 'fake-cost',
  create: (options, env) => {
    const cost = env.metrics.counter('cost_usd_total', 'Cost of served requests in USD.', ['alias', 'provider', 'model']);
    const cache = env.metrics.counter('cache_requests_total', 'Response cache lookups by result.', ['alias', 'result']);
    return {
      onComplete(ctx) {
        if (!ctx.servedBy) return;
        const labels = env.metrics.requestLabels(ctx);
        cost.inc(0.25, labels);
        cache.inc(1, { alias: labels.alias, result: ctx.metadata.cache === 'hit' ? 'hit' : 'miss' });
      },
    };
  },
};`;

const config = (url: string, guarded: boolean) => `
server: { metrics: { require_admin_key: ${guarded} } }
providers:
  up:   { api: openai, base_url: "${url}", api_key: "${PROVIDER_KEY}" }
  down: { api: openai, base_url: "${url}", api_key: "${PROVIDER_KEY}" }
models:
  chat:
    targets: [ { provider: up, model: model-a } ]
  flaky:
    targets: [ { provider: down, model: broken-model } ]
    fallbacks: [chat]
  retried:
    targets: [ { provider: up, model: retry-model } ]
    retry: { attempts: 3, backoff_ms: 1 }
  hedged:
    strategy: ordered
    targets: [ { provider: up, model: slow-model }, { provider: up, model: fast-model } ]
    hedge_after_ms: 100
  breaker:
    targets: [ { provider: down, model: dead-model } ]
    cooldown: { failures: 1, window_s: 60, duration_s: 120 }
    fallbacks: [chat]
plugins:
  - use: ./fake-cost.js
    admin_key: "\${SWITCHYARD_TEST_ADMIN_KEY}"
`;

const rig = gatewayWithFakes(
  { fake: startFakeOpenAI },
  ({ fake }) => {
    fake.on('broken-model', { status: 500, errorMessage: `upstream echoed ${PROVIDER_KEY}` });
    fake.on('model-a', { usage: { prompt_tokens: 11, completion_tokens: 7, cached_tokens: 3 } });
    return { config: config(fake.url, false), files: { 'fake-cost.js': FAKE_COST_PLUGIN }, env: { SWITCHYARD_TEST_ADMIN_KEY: ADMIN_KEY } };
  },
  // The rules above hold for the whole file, and the tests read the counters earlier ones raised.
  { resetEachTest: false },
);

function chat(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetch(`${rig.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
}

async function scrape(headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${rig.gw.url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

/** The value of one series, matched by name and an exact label set. */
function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = /\{(.*)\}/.exec(line)?.[1] ?? '';
    const have = labelText ? labelText.split(/,(?=[a-z_]+=")/) : [];
    if (want.length === have.length && want.every((w) => have.includes(w))) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('GET /metrics', () => {
  test('counts requests by alias, provider, model and status, with latency histograms', async () => {
    expect((await chat({ model: 'chat' })).status).toBe(200);
    expect((await chat({ model: 'chat', stream: true })).status).toBe(200);
    const text = await scrape();
    const route = { endpoint: 'chat', alias: 'chat', provider: 'up', model: 'model-a' };
    expect(value(text, 'switchyard_requests_total', { ...route, status: '200' })).toBeGreaterThanOrEqual(2);
    for (const h of ['request_duration_seconds', 'time_to_first_byte_seconds', 'gateway_overhead_seconds']) {
      expect(value(text, `switchyard_${h}_count`, route)).toBeGreaterThanOrEqual(2);
    }
    expect(
      value(text, 'switchyard_upstream_duration_seconds_count', { alias: 'chat', provider: 'up', model: 'model-a', status: '200' }),
    ).toBeGreaterThanOrEqual(2);
    expect(value(text, 'switchyard_streams_total', { alias: 'chat', provider: 'up', model: 'model-a', result: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^switchyard_process_resident_memory_bytes \d+/m);
  });

  test('counts tokens by kind, cost, and cache results as the plugins report them', async () => {
    const before = await scrape();
    await chat({ model: 'chat' });
    await chat({ model: 'chat' }, { 'x-switchyard-metadata': JSON.stringify({ cache: 'hit' }) });
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => (value(after, name, labels) ?? 0) - (value(before, name, labels) ?? 0);
    const target = { alias: 'chat', provider: 'up', model: 'model-a' };
    expect(delta('switchyard_tokens_total', { ...target, kind: 'input' })).toBe(22);
    expect(delta('switchyard_tokens_total', { ...target, kind: 'output' })).toBe(14);
    expect(delta('switchyard_tokens_total', { ...target, kind: 'cached' })).toBe(6);
    expect(delta('switchyard_cost_usd_total', target)).toBeCloseTo(0.5, 9);
    expect(delta('switchyard_cache_requests_total', { alias: 'chat', result: 'hit' })).toBe(1);
    expect(delta('switchyard_cache_requests_total', { alias: 'chat', result: 'miss' })).toBe(1);
  });

  test('a request served by a fallback counts under the alias asked for, with the fallback and the failed attempt visible', async () => {
    expect((await chat({ model: 'flaky' })).status).toBe(200);
    const text = await scrape();
    expect(value(text, 'switchyard_fallbacks_total', { alias: 'flaky', fallback: 'chat' })).toBeGreaterThanOrEqual(1);
    expect(
      value(text, 'switchyard_requests_total', { endpoint: 'chat', alias: 'flaky', provider: 'up', model: 'model-a', status: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(text, 'switchyard_upstream_duration_seconds_count', { alias: 'flaky', provider: 'down', model: 'broken-model', status: '500' }),
    ).toBeGreaterThanOrEqual(1);
  });

  test('retries, hedges and cooldowns show as the router performs them', async () => {
    rig.fakes.fake.on('retry-model', { status: 503 }, 1);
    rig.fakes.fake.on('slow-model', { delayMs: 800 });
    rig.fakes.fake.on('dead-model', { status: 500 });
    expect((await chat({ model: 'retried' })).status).toBe(200);
    expect((await chat({ model: 'hedged' })).status).toBe(200);
    expect((await chat({ model: 'breaker' })).status).toBe(200);
    const text = await scrape();
    expect(value(text, 'switchyard_retries_total', { alias: 'retried', provider: 'up' })).toBeGreaterThanOrEqual(1);
    expect(value(text, 'switchyard_hedges_total', { alias: 'hedged', provider: 'up' })).toBeGreaterThanOrEqual(1);
    expect(value(text, 'switchyard_provider_cooldown', { provider: 'down', model: 'dead-model' })).toBe(1);
    expect(value(text, 'switchyard_provider_cooldown', { provider: 'up', model: 'model-a' })).toBe(0);
  });

  test('model names a client invents never become label values', async () => {
    const invented = 'client-invented-model-zzz-12345';
    expect((await chat({ model: invented })).status).toBe(404);
    expect((await chat({ model: '' })).status).toBeGreaterThanOrEqual(400);
    const text = await scrape();
    expect(text).not.toContain(invented);
    expect(
      value(text, 'switchyard_requests_total', { endpoint: 'chat', alias: 'unknown', provider: 'none', model: 'none', status: '404' }),
    ).toBeGreaterThanOrEqual(1);
  });

  test('never shows a provider key or the admin key', async () => {
    await chat({ model: 'flaky' });
    const text = await scrape();
    expect(text).not.toContain(PROVIDER_KEY);
    expect(text).not.toContain(ADMIN_KEY);
  });

  test('config reloads are counted by result', async () => {
    const before = await scrape();
    rig.gw.writeConfig('providers: [this is not valid');
    await rig.gw.waitForLog((r) => r.message === 'config reload rejected; still serving the previous config');
    rig.gw.writeConfig(config(rig.fakes.fake.url, false) + '\n# touched\n');
    await rig.gw.waitForLog((r) => r.message === 'config reloaded');
    const after = await scrape();
    const delta = (result: string) =>
      (value(after, 'switchyard_config_reloads_total', { result }) ?? 0) - (value(before, 'switchyard_config_reloads_total', { result }) ?? 0);
    expect(delta('failure')).toBe(1);
    expect(delta('success')).toBe(1);
  });

  test('with require_admin_key, only the admin key may read it', async () => {
    const reloadsBefore = rig.gw.logRecords().filter((r) => r.message === 'config reloaded').length;
    rig.gw.writeConfig(config(rig.fakes.fake.url, true));
    await rig.gw.waitForLog(() => rig.gw.logRecords().filter((r) => r.message === 'config reloaded').length > reloadsBefore);
    expect((await fetch(`${rig.gw.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${rig.gw.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${rig.gw.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}x` } })).status).toBe(401);
    expect((await fetch(`${rig.gw.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY.slice(0, -1)}` } })).status).toBe(401);
    const denied = await fetch(`${rig.gw.url}/metrics`, { headers: { authorization: `Bearer ${PROVIDER_KEY}` } });
    expect(denied.status).toBe(401);
    expect(await denied.text()).not.toContain(ADMIN_KEY);
    expect((await fetch(`${rig.gw.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(200);
    expect((await fetch(`${rig.gw.url}/metrics`, { headers: { 'x-api-key': ADMIN_KEY } })).status).toBe(200);
  });
});
