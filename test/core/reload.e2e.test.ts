/**
 * Hot reload, SIGHUP and SIGTERM drain, against the real daemon process.
 */
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { readCompletion, readReady } from '../helpers/answers';
import { eventually } from '../helpers/client';
import { startDaemon, type Daemon } from '../helpers/daemon';

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const configWith = (model: string, extra = '') => `
providers:
  up: { api: openai, base_url: "${fake.url}", api_key: "sk-test-reload-0001" }
models:
  chat:
    targets: [ { provider: up, model: ${model} } ]
${extra}`;

async function ask(gw: Daemon, model = 'chat'): Promise<Response> {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

async function hash(gw: Daemon): Promise<string> {
  return (await readReady(gw.url)).config.hash;
}

describe('hot reload', () => {
  let gw: Daemon;
  beforeEach(async () => {
    gw = await startDaemon({ config: configWith('first-model') });
  });
  afterEach(() => gw.stop());

  test('saving a valid config switches new requests to it without a restart', async () => {
    expect((await ask(gw)).headers.get('x-switchyard-model')).toBe('first-model');
    const before = await hash(gw);
    gw.writeConfig(configWith('second-model'));
    await gw.waitForLog((r) => r.message === 'config reloaded');
    expect(await hash(gw)).not.toBe(before);
    expect((await ask(gw)).headers.get('x-switchyard-model')).toBe('second-model');
    expect(gw.proc.exitCode).toBeNull();
  });

  test('a new api_key in a reloaded file is the key the next upstream request carries', async () => {
    await ask(gw);
    expect(fake.calls.at(-1)?.headers.authorization).toBe('Bearer sk-test-reload-0001');
    gw.writeConfig(configWith('first-model').replace('sk-test-reload-0001', 'sk-test-reload-0002'));
    await gw.waitForLog((r) => r.message === 'config reloaded');
    await ask(gw);
    expect(fake.calls.at(-1)?.headers.authorization).toBe('Bearer sk-test-reload-0002');
  });

  test('a broken file is rejected with file, line and column, and the old config keeps serving', async () => {
    const before = await hash(gw);
    gw.writeConfig(configWith('x').replace('targets: [ { provider: up, model: x } ]', 'targets: [ { provider: missing-provider, model: x } ]'));
    const rejected = await gw.waitForLog((r) => r.message === 'config reload rejected; still serving the previous config');
    expect(String(rejected.problems)).toMatch(/proxy\.yaml:6:\d+: models\.chat\.targets\[0\]\.provider: unknown provider "missing-provider"/);
    expect(await hash(gw)).toBe(before);
    expect((await ask(gw)).headers.get('x-switchyard-model')).toBe('first-model');
    const ready = await readReady(gw.url);
    expect(ready.last_reload.ok).toBe(false);
    expect(ready.last_reload.error).toContain('unknown provider');
  });

  test('a YAML syntax error is rejected and named by line', async () => {
    gw.writeConfig('providers:\n  up: { api: openai\nmodels: [');
    const rejected = await gw.waitForLog((r) => r.message === 'config reload rejected; still serving the previous config');
    expect(String(rejected.problems)).toMatch(/proxy\.yaml:\d+:\d+: \(root\): YAML syntax/);
    expect((await ask(gw)).status).toBe(200);
  });

  test('a plugin that fails to load is rejected like any other config error', async () => {
    gw.writeConfig(configWith('first-model', 'plugins:\n  - use: ./does-not-exist.js\n'));
    const rejected = await gw.waitForLog((r) => r.message === 'config reload rejected; still serving the previous config');
    expect(String(rejected.problems)).toMatch(/plugins\[0\]\.use: cannot load plugin/);
    expect((await ask(gw)).status).toBe(200);
  });

  test('SIGHUP reloads too', async () => {
    // Write without the watcher noticing a difference in content timing: SIGHUP must be enough on its own.
    gw.writeConfig(configWith('hup-model'));
    gw.proc.kill('SIGHUP');
    await gw.waitForLog((r) => r.message === 'config reloaded');
    expect((await ask(gw)).headers.get('x-switchyard-model')).toBe('hup-model');
  });

  test('a request in flight during a reload finishes on the config it started with', async () => {
    fake.on('first-model', { delayMs: 1500 });
    const inflight = ask(gw);
    await eventually(() => fake.callsFor('first-model').length === 1); // in flight: the upstream has it
    gw.writeConfig(configWith('second-model'));
    await gw.waitForLog((r) => r.message === 'config reloaded');
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('first-model');
    expect((await ask(gw)).headers.get('x-switchyard-model')).toBe('second-model');
  });

  test('under steady load, a run of good and broken reloads fails no request and drops no connection', async () => {
    // Each upstream call takes a little while, so requests are always in flight when a swap happens.
    for (const model of ['first-model', 'model-a', 'model-b']) fake.on(model, { delayMs: 15 });
    const outcomes: string[] = [];
    const servedBy = new Set<string>();
    let loading = true;
    const worker = async (streaming: boolean) => {
      while (loading) {
        try {
          const res = await fetch(`${gw.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'chat', stream: streaming, messages: [{ role: 'user', content: 'hi' }] }),
          });
          const text = await res.text();
          const complete = streaming ? text.trimEnd().endsWith('data: [DONE]') : 'choices' in JSON.parse(text);
          outcomes.push(res.status === 200 && complete ? 'ok' : `${res.status}: ${text.slice(0, 200)}`);
          servedBy.add(res.headers.get('x-switchyard-model') ?? '');
        } catch (err) {
          outcomes.push(`network error: ${(err as Error).message}`);
        }
      }
    };
    const load = [false, false, false, false, true, true, true, true].map(worker);

    const reloadsLogged = () =>
      gw.logRecords().filter((r) => r.message === 'config reloaded' || r.message === 'config reload rejected; still serving the previous config').length;
    const broken = configWith('x').replace('provider: up', 'provider: missing-provider');
    const files = [configWith('model-a'), broken, configWith('model-b'), 'models: [', configWith('model-a'), configWith('model-b')];
    for (const [i, file] of files.entries()) {
      gw.writeConfig(file);
      await gw.waitForLog(() => reloadsLogged() > i);
      const served = outcomes.length;
      await eventually(() => outcomes.length >= served + 4); // requests ran on this config
    }
    loading = false;
    await Promise.all(load);

    expect(outcomes.length).toBeGreaterThan(50);
    expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
    // Every good config served requests; the broken ones never replaced the one before them.
    expect([...servedBy].sort()).toEqual(['first-model', 'model-a', 'model-b']);
    expect(gw.logRecords().filter((r) => r.message === 'config reloaded')).toHaveLength(4);
    expect(gw.proc.exitCode).toBeNull();
  });
});

describe('shutdown', () => {
  test('SIGTERM lets in-flight requests finish, then exits 0', async () => {
    const gw = await startDaemon({ config: configWith('slow-model') });
    fake.on('slow-model', { delayMs: 1000 });
    const inflight = ask(gw);
    await eventually(() => fake.callsFor('slow-model').length === 1);
    const exit = gw.stop('SIGTERM');
    const res = await inflight;
    expect(res.status).toBe(200);
    expect((await readCompletion(res)).model).toBe('slow-model');
    expect(await exit).toBe(0);
    expect(gw.logRecords().some((r) => r.message === 'shutdown complete')).toBe(true);
  });
});
