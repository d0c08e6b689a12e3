/**
 * The rate-limit plugin sees /passthrough/{provider}/*: a key's own rpm and the plugin's per_key rpm count its
 * passthrough requests (in the same bucket as its chat requests), a request past them gets the 429 with
 * Retry-After and never reaches the provider; tpm does not apply there (the body is never read, so no tokens).
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';

const keyOf = (name: string) => `sk-passthrough-rl-${name}-0042`;

/** A provider with a files endpoint that counts what reaches it. */
let provider: http.Server;
const seen: string[] = [];
let gw: InProcessGateway;

beforeAll(async () => {
  provider = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    if (req.url?.startsWith('/v1/chat/completions')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'c',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"object":"list","data":[]}');
  });
  provider.listen(0, '127.0.0.1');
  await once(provider, 'listening');
  const url = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/v1`;
  gw = await startInProcess({
    config: `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-passthrough-rl-provider-9999" }
models:
  chat: { targets: [ { provider: up, model: m } ] }
plugins:
  - use: auth
    keys:
      - { name: own, key: "${keyOf('own')}", models: ["*"], rpm: 2 }
      - { name: default, key: "${keyOf('default')}", models: ["*"] }
      - { name: shared, key: "${keyOf('shared')}", models: ["*"], rpm: 2 }
      - { name: tokens, key: "${keyOf('tokens')}", models: ["*"], rpm: 1000, tpm: 1 }
  - { use: rate-limit, store: memory, max_queue_ms: 0, per_key: { rpm: 3 } }
`,
  });
});
afterAll(async () => {
  await gw?.stop();
  provider.closeAllConnections();
  await new Promise((resolve) => provider.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
});

const files = (key: string) => fetch(`${gw.url}/passthrough/up/files`, { headers: { authorization: `Bearer ${keyOf(key)}` } });

/** Statuses of `n` passthrough requests sent one after another; bodies read, so each has finished. */
async function statusesOf(key: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await files(key);
    await res.text();
    out.push(res.status);
  }
  return out;
}

describe('passthrough and the rate-limit plugin', () => {
  test("a key's own rpm counts its passthrough requests; past it a 429 with Retry-After, never sent upstream", async () => {
    expect(await statusesOf('own', 2)).toEqual([200, 200]);
    const refused = await files('own');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'rate_limit_exceeded',
      message: expect.stringContaining('key "own" requests per minute (2)'),
    });
    expect(seen).toEqual(['GET /v1/files', 'GET /v1/files']);
    const line = await gw.waitForLog((r) => r.message === 'request' && r.request_id === refused.headers.get('x-request-id'));
    expect(line).toMatchObject({ endpoint: 'passthrough', status: 429, key: 'own' });
  });

  test("per_key's rpm applies to a key without its own, and admitted answers carry x-ratelimit headers", async () => {
    const first = await files('default');
    await first.text();
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('3');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('2');
    expect(await statusesOf('default', 3)).toEqual([200, 200, 429]);
    expect(seen).toHaveLength(3);
  });

  test('passthrough and chat requests of one key share its requests bucket', async () => {
    const chat = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keyOf('shared')}` },
      body: JSON.stringify({ model: 'chat', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await chat.text();
    expect(chat.status).toBe(200);
    expect(await statusesOf('shared', 2)).toEqual([200, 429]);
  });

  test('tpm does not apply to passthrough: a body is never read, so no tokens are counted', async () => {
    expect(await statusesOf('tokens', 5)).toEqual([200, 200, 200, 200, 200]);
  });
});
