/**
 * /passthrough/{provider}/* is not an open proxy: it reaches only configured network providers, only under their
 * base URL, whatever encoding tricks the path uses. Requests go over a raw socket so nothing normalises them
 * on the way.
 */
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { startDaemon, type Daemon } from '../helpers/daemon';
import { rawGet, rawRequest } from './raw-http';

const PROVIDER_KEY = 'sk-passthrough-provider-secret-3344';

let upstream: FakeOpenAI;
let elsewhere: FakeOpenAI;
let gw: Daemon;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  elsewhere = await startFakeOpenAI();
  gw = await startDaemon({
    config: `
providers:
  up:   { api: openai, base_url: "${upstream.url}", api_key: "${PROVIDER_KEY}" }
  demo: { api: mock }
models:
  chat: { targets: [ { provider: up, model: m } ] }
`,
  });
});
afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
  await elsewhere?.close();
});
beforeEach(() => {
  upstream.reset();
  elsewhere.reset();
});

describe('passthrough path safety', () => {
  test('a plain path reaches the provider under its base URL with the provider key, never the client credentials', async () => {
    const res = await rawGet(gw.port, '/passthrough/up/files?purpose=batch', {
      authorization: 'Bearer client-key',
      cookie: 'session=abc',
      'x-api-key': 'client-api-key',
    });
    expect(res.status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
    const call = upstream.calls[0];
    expect(call.path).toBe('/v1/files?purpose=batch');
    expect(call.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(call.headers.cookie).toBeUndefined();
    expect(call.headers['x-api-key']).toBeUndefined();
  });

  const evil = () => `127.0.0.1:${elsewhere.port}`;
  const attacks: [string, () => string][] = [
    ['dot-dot segments', () => '/passthrough/up/../../admin'],
    ['dot-dot after a real segment', () => '/passthrough/up/files/../../secret'],
    ['encoded dots', () => '/passthrough/up/%2e%2e/admin'],
    ['upper-case encoded dots', () => '/passthrough/up/%2E%2E/admin'],
    ['half-encoded dots', () => '/passthrough/up/.%2e/admin'],
    ['encoded slashes around dots', () => '/passthrough/up/files%2f..%2f..%2fadmin'],
    ['double-encoded dots', () => '/passthrough/up/%252e%252e/admin'],
    ['triple-encoded dots', () => '/passthrough/up/%25252e%25252e/admin'],
    ['backslashes', () => '/passthrough/up/..\\..\\admin'],
    ['encoded backslashes', () => '/passthrough/up/%5c..%5cadmin'],
    ['a protocol-relative URL', () => `/passthrough/up//${evil()}/v1/files`],
    ['an encoded protocol-relative URL', () => `/passthrough/up/%2f%2f${evil()}/v1/files`],
    ['an absolute URL', () => `/passthrough/up/http://${evil()}/v1/files`],
    ['an encoded absolute URL', () => `/passthrough/up/http%3a%2f%2f${evil()}%2fv1%2ffiles`],
    ['a NUL byte', () => '/passthrough/up/files%00.json'],
    ['a CR LF header injection', () => '/passthrough/up/files%0d%0aX-Injected:%201'],
    ['a malformed escape', () => '/passthrough/up/%E0%A4%A'],
    ['a malformed escape in the provider', () => '/passthrough/%E0%A4%A/files'],
    ['dots instead of a provider', () => '/passthrough/../v1/files'],
    ['encoded dots instead of a provider', () => '/passthrough/%2e%2e/v1/files'],
    ['a provider with an encoded slash', () => '/passthrough/up%2f..%2f/files'],
    ['a host instead of a provider', () => `/passthrough//${evil()}/v1/files`],
    ['a URL instead of a provider', () => `/passthrough/http://${evil()}/v1/files`],
    ['the mock provider', () => '/passthrough/demo/files'],
    ['an unknown provider', () => '/passthrough/nobody/files'],
    ['an inherited object key as provider', () => '/passthrough/__proto__/files'],
    ['another inherited key', () => '/passthrough/constructor/files'],
  ];

  test.each(attacks)('%s is refused and reaches nothing', async (_name, path) => {
    const res = await rawGet(gw.port, path());
    expect([400, 404]).toContain(res.status);
    expect(upstream.calls).toHaveLength(0);
    expect(elsewhere.calls).toHaveLength(0);
  });

  test('an absolute-form request line cannot turn the gateway into a forward proxy', async () => {
    for (const target of [`http://${evil()}/v1/files`, `http://${evil()}/passthrough/up/files`]) {
      const res = await rawRequest(gw.port, `GET ${target} HTTP/1.1\r\nHost: ${evil()}\r\nConnection: close\r\n\r\n`);
      expect(res.status).not.toBe(0);
    }
    expect(elsewhere.calls).toHaveLength(0);
    for (const call of upstream.calls) expect(call.path.startsWith('/v1/')).toBe(true);
  });

  test('a Host header naming another server changes nothing about where the request goes', async () => {
    const res = await rawGet(gw.port, '/passthrough/up/models', { host: evil() });
    expect(res.status).toBe(200);
    expect(elsewhere.calls).toHaveLength(0);
    expect(upstream.calls.map((c) => c.path)).toEqual(['/v1/models']);
  });

  test('after every attack the gateway still serves', async () => {
    expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
  });
});
