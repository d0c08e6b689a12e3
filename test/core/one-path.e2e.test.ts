/**
 * One request path for every answer, through the real daemon: every response (errors before the body, unknown
 * routes, wrong methods, passthrough, draining included) carries its x-request-id, gets exactly one log line
 * and one switchyard_requests_total count with its status and endpoint; the auth plugin refuses from the headers
 * before the body is read; Content-Encoding lookups cannot reach an object's prototype.
 */
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { startDaemon } from '../helpers/daemon';
import { eventually } from '../helpers/client';
import { gatewayWithFake } from '../helpers/rig';
import { openSocket } from '../ops/raw-http';

const KEY = 'one-path-key-0001';
const config = (url: string) => `
server: { max_body_mb: 1, request_timeout_ms: 30000 }
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-one-path-upstream" }
models:
  chat: { targets: [ { provider: up, model: model-a } ] }
plugins:
  - use: auth
    keys:
      - { name: team, key: "${KEY}", models: ["*"] }
`;

const rig = gatewayWithFake(config);
const withKey = { authorization: `Bearer ${KEY}` };
const okBody = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
let sequence = 0;

function nextId(): string {
  return `one-path-${process.pid}-${++sequence}`;
}

function post(path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${rig.gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

/** switchyard_requests_total summed over every series with this endpoint and status. */
async function count(endpoint: string, status: number): Promise<number> {
  const text = await (await fetch(`${rig.gw.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('switchyard_requests_total{') && line.includes(`endpoint="${endpoint}"`) && line.includes(`status="${status}"`))
      sum += Number(line.split(' ').pop());
  }
  return sum;
}

/**
 * Sends one request with a fresh x-request-id and checks that its answer was seen: the id came back, one log
 * line names it with the status and endpoint, and the count for that endpoint and status went up by one.
 */
async function seen(endpoint: string, status: number, send: (headers: Record<string, string>) => Promise<Response>): Promise<Response> {
  const before = await count(endpoint, status);
  const id = nextId();
  const res = await send({ 'x-request-id': id });
  await res.arrayBuffer();
  expect(res.status).toBe(status);
  expect(res.headers.get('x-request-id')).toBe(id);
  const line = await rig.gw.waitForLog((r) => r.message === 'request' && r.request_id === id);
  expect(line).toMatchObject({ status, endpoint });
  expect(rig.gw.logRecords().filter((r) => r.message === 'request' && r.request_id === id)).toHaveLength(1);
  expect(await count(endpoint, status)).toBe(before + 1);
  return res;
}

describe('every answer is seen', () => {
  test('400 invalid JSON: request id, one log line, one count', async () => {
    const res = await seen('chat', 400, (h) => post('/v1/chat/completions', '{"model":', { ...withKey, ...h }));
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
  });

  test("404 unknown route, in OpenAI's shape", async () => {
    const res = await seen('unknown', 404, (h) => fetch(`${rig.gw.url}/v2/nothing-here`, { headers: h }));
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
  });

  test('405 wrong method on a known path, with Allow', async () => {
    const res = await seen('chat', 405, (h) => fetch(`${rig.gw.url}/v1/chat/completions`, { headers: { ...withKey, ...h } }));
    expect(res.headers.get('allow')).toBe('POST');
  });

  test('413 over server.max_body_mb', async () => {
    const huge = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(2 * 1024 * 1024) }] });
    await seen('chat', 413, (h) => post('/v1/chat/completions', huge, { ...withKey, ...h }));
  });

  test('415 a body that is not JSON', async () => {
    await seen('chat', 415, (h) => post('/v1/chat/completions', okBody, { ...withKey, ...h, 'content-type': 'text/plain' }));
  });

  test('401 a missing key', async () => {
    await seen('chat', 401, (h) => post('/v1/chat/completions', okBody, h));
  });

  test("400 an invalid /v1/messages body, in Anthropic's shape", async () => {
    const res = await seen('messages', 400, (h) => post('/v1/messages', JSON.stringify({ model: 'chat' }), { ...withKey, ...h }));
    const body = (await (await post('/v1/messages', JSON.stringify({ model: 'chat' }), withKey)).json()) as { type?: string; error?: { type?: string } };
    expect(res.status).toBe(400);
    expect(body.type).toBe('error');
    expect(body.error?.type).toBe('invalid_request_error');
  });

  test('a passthrough answer is seen like any other', async () => {
    await seen('passthrough', 404, (h) => fetch(`${rig.gw.url}/passthrough/no-such-provider/files`, { headers: { ...withKey, ...h } }));
  });

  test('a proxied passthrough answer carries the request id and gets its log line', async () => {
    const id = nextId();
    const res = await fetch(`${rig.gw.url}/passthrough/up/files`, { headers: { ...withKey, 'x-request-id': id } });
    await res.arrayBuffer();
    expect(rig.fake.calls).toHaveLength(1);
    expect(res.headers.get('x-request-id')).toBe(id);
    expect(await rig.gw.waitForLog((r) => r.message === 'request' && r.request_id === id)).toMatchObject({ status: res.status, endpoint: 'passthrough' });
  });

  test('health and model listings are seen too', async () => {
    await seen('health', 200, (h) => fetch(`${rig.gw.url}/health/live`, { headers: h }));
    await seen('models', 200, (h) => fetch(`${rig.gw.url}/v1/models`, { headers: { ...withKey, ...h } }));
  });

  test('every /v1/messages mistake is a logged, counted answer, whatever status it gets', async () => {
    // On main these bodies got a 500 with no log line at all.
    for (const body of [
      { model: 'chat', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], tools: 'x' },
      { model: 'chat', max_tokens: 5, system: {}, messages: [{ role: 'user', content: 'hi' }] },
    ]) {
      const id = nextId();
      const res = await post('/v1/messages', JSON.stringify(body), { ...withKey, 'x-request-id': id });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('x-request-id')).toBe(id);
      expect(await rig.gw.waitForLog((r) => r.message === 'request' && r.request_id === id)).toMatchObject({ status: res.status, endpoint: 'messages' });
    }
  });

  test('a request id the client sends is echoed only when it is sane; otherwise a fresh one is made', async () => {
    const res = await post('/v1/chat/completions', '{', { ...withKey, 'x-request-id': 'has spaces and {braces}' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('auth runs before the body is read', () => {
  test('a body that would not parse gets 401 without a key, not 400', async () => {
    const res = await post('/v1/chat/completions', '{"model": "chat", "messages": [');
    expect(res.status).toBe(401);
  });

  test('a body nested past the depth limit gets 401 without a key, not 400', async () => {
    const res = await post('/v1/chat/completions', '['.repeat(50_000) + ']'.repeat(50_000));
    expect(res.status).toBe(401);
  });

  test('a body announced over the size limit gets 401 without a key, not 413', async () => {
    const res = await post('/v1/chat/completions', JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(2 * 1024 * 1024) }] }));
    expect(res.status).toBe(401);
  });

  test('the 401 comes before the body has even arrived', async () => {
    // Headers announce a megabyte, a few bytes follow, then the client waits: only an answer from the headers
    // alone can arrive (the request timeout is 30 s, far past this test's read).
    const head = 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"model":';
    const answer = await rawRequestUntilAnswer(rig.gw.port, head);
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).toMatch(/x-request-id: /i);
  });

  test('with a key, the same body is read and judged', async () => {
    expect((await post('/v1/chat/completions', '{"model": "chat", "messages": [', withKey)).status).toBe(400);
    expect((await post('/v1/chat/completions', okBody, withKey)).status).toBe(200);
  });
});

describe('Content-Encoding', () => {
  test.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'x-unknown', 'gzip, br'])('"%s" is a 415', async (encoding) => {
    const res = await post('/v1/chat/completions', okBody, { ...withKey, 'content-encoding': encoding });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    expect(rig.fake.calls).toHaveLength(0);
  });

  test('a brotli body that inflates past the limit is a 413, not a 400', async () => {
    const big = brotliCompressSync(Buffer.from(JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(3 * 1024 * 1024) }] })));
    expect(big.length).toBeLessThan(1024 * 1024);
    const res = await post('/v1/chat/completions', big, { ...withKey, 'content-encoding': 'br' });
    expect(res.status).toBe(413);
  });

  test('gzip and brotli bodies within the limit are served', async () => {
    expect((await post('/v1/chat/completions', gzipSync(okBody), { ...withKey, 'content-encoding': 'gzip' })).status).toBe(200);
    expect((await post('/v1/chat/completions', brotliCompressSync(Buffer.from(okBody)), { ...withKey, 'content-encoding': 'br' })).status).toBe(200);
  });
});

describe('draining', () => {
  test('503 while draining: request id and one log line', async () => {
    const gw = await startDaemon({
      config: `server: { shutdown_timeout_ms: 10000 }\nproviders: { up: { api: openai, base_url: "${rig.fake.url}", api_key: "k" } }\nmodels: { slow: { targets: [{ provider: up, model: slow-model }] } }\n`,
    });
    try {
      // A slow stream in flight keeps the daemon draining (not yet closed) while the next request arrives.
      rig.fake.on('slow-model', { reply: 'one two three four five six', chunkDelayMs: 300 });
      const slow = fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      }).then((r) => r.text());
      await eventually(() => rig.fake.openRequests === 1);
      // A request begun before SIGTERM (its headers half sent) keeps its connection; it is finished once draining.
      const socket = await openSocket(gw.port);
      const got: Buffer[] = [];
      socket.on('data', (d: Buffer) => got.push(d));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      await new Promise((r) => socket.write('GET /v1/models HTTP/1.1\r\nHost: x\r\n', r));
      // An answer on another connection means the daemon's loop has polled since those bytes reached it: no sleep.
      expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
      gw.proc.kill('SIGTERM');
      await gw.waitForLog((r) => r.message === 'shutting down: draining in-flight requests');
      socket.write('x-request-id: drain-check-1\r\n\r\n');
      await closed;
      const text = Buffer.concat(got).toString('utf8');
      expect(text).toMatch(/^HTTP\/1\.1 503 /);
      expect(text).toMatch(/x-request-id: drain-check-1/i);
      expect(await gw.waitForLog((r) => r.message === 'request' && r.request_id === 'drain-check-1')).toMatchObject({ status: 503, endpoint: 'models' });
      expect(await slow).toContain('[DONE]');
    } finally {
      await gw.stop();
    }
  });
});

/** Writes `bytes` and resolves with what the server sent once a whole header block has arrived (or after 5 s). */
async function rawRequestUntilAnswer(port: number, bytes: string): Promise<string> {
  const socket = await openSocket(port);
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(parts).toString('utf8'));
    };
    const timer = setTimeout(finish, 5000);
    socket.on('data', (d: Buffer) => {
      parts.push(d);
      if (Buffer.concat(parts).includes('\r\n\r\n')) finish();
    });
    socket.on('close', finish);
    socket.on('error', finish);
    socket.write(bytes);
  });
}
