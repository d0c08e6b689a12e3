/**
 * Hardening against slow, greedy and hostile clients and upstreams, through the real daemon: header and
 * request timeouts, the connection cap, body limits, malformed bodies, broken upstream streams, and secrets
 * kept out of everything a client or an operator can read.
 */
import type net from 'node:net';
import { gatewayWithFake } from '../helpers/rig';
import { eventually } from '../helpers/client';
import { closesWithin, openSocket, rawRequest, rawRequestInPieces } from './raw-http';

const PROVIDER_KEY = 'sk-hardening-provider-secret-5566';
const ODD_KEY = 'plainsecretvalue-without-known-shape-9988';

const config = (url: string) => `
server: { max_body_mb: 1, header_timeout_ms: 1000, request_timeout_ms: 1500, max_connections: 40 }
providers:
  up:  { api: openai, base_url: "${url}", api_key: "${PROVIDER_KEY}", timeout_ms: 5000 }
  odd: { api: openai, base_url: "${url}", api_key: "${ODD_KEY}", timeout_ms: 5000 }
models:
  chat: { targets: [ { provider: up, model: model-a } ] }
  healthy: { targets: [ { provider: up, model: model-healthy } ] }
  odd:  { targets: [ { provider: odd, model: model-odd } ] }
`;

const rig = gatewayWithFake(config);

function post(path: string, body: string | Buffer, contentType = 'application/json') {
  return fetch(`${rig.gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

async function stillServes(): Promise<void> {
  expect((await fetch(`${rig.gw.url}/health/live`)).status).toBe(200);
  const res = await post('/v1/chat/completions', JSON.stringify({ model: 'healthy', messages: [{ role: 'user', content: 'still there?' }] }));
  expect(res.status).toBe(200);
}

describe('slow clients', () => {
  test('a client that never finishes its headers is cut off by the header timeout', async () => {
    const socket = await openSocket(rig.gw.port);
    socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => socket.writable && socket.write('x-drip: 1\r\n'), 200);
    const closed = await closesWithin(socket, 8000);
    clearInterval(drip);
    expect(closed).toBe(true);
    await stillServes();
  });

  test('a client that trickles its body is answered 408 by the request timeout', async () => {
    const socket = await openSocket(rig.gw.port);
    const head = 'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n';
    socket.write(head);
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    const drip = setInterval(() => socket.writable && socket.write('{'), 200);
    const closed = await closesWithin(socket, 8000);
    clearInterval(drip);
    expect(closed).toBe(true);
    expect(Buffer.concat(got).toString()).toMatch(/^HTTP\/1\.1 408/);
    await stillServes();
  });

  test('a streamed answer may run longer than the request timeout', async () => {
    rig.fake.on('model-a', { reply: 'one two three four five six seven eight', chunkDelayMs: 300 });
    const res = await post('/v1/chat/completions', JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'slow' }] }));
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
  });
});

describe('connection cap', () => {
  test('connections past server.max_connections are refused, counted, and serving resumes when they go', async () => {
    const sockets = await Promise.all(Array.from({ length: 60 }, () => openSocket(rig.gw.port).catch(() => undefined)));
    const open = sockets.filter((s): s is net.Socket => s !== undefined);
    const closed = await Promise.all(open.map((s) => closesWithin(s, 1000)));
    // The daemon's own limit is 40; fetch's keep-alive connections from earlier tests may hold a few more slots.
    expect(closed.filter(Boolean).length).toBeGreaterThanOrEqual(20);
    for (const s of open) s.destroy();
    // Serving resumes once the gateway has seen those sockets close: until then a new connection is dropped,
    // so probe until one answers.
    await eventually(
      () =>
        fetch(`${rig.gw.url}/health/live`).then(
          (r) => r.ok,
          () => false,
        ),
      10_000,
    );
    await stillServes();
    const metrics = await (await fetch(`${rig.gw.url}/metrics`)).text();
    expect(Number(/^switchyard_connections_dropped_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(20);
  });
});

describe('hostile bodies', () => {
  const chatPath = '/v1/chat/completions';

  test('a body over server.max_body_mb is a 413', async () => {
    const huge = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(2 * 1024 * 1024) }] });
    expect((await post(chatPath, huge)).status).toBe(413);
  });

  test('deep nesting is a 400, wherever it hides in the body', async () => {
    const deepArray = '['.repeat(100_000) + ']'.repeat(100_000);
    expect((await post(chatPath, deepArray)).status).toBe(400);
    const deepExtra = `{"model":"chat","messages":[{"role":"user","content":"x"}],"metadata":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const res = await post(chatPath, deepExtra);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('json_too_deep');
    expect(rig.fake.calls).toHaveLength(0);
  });

  test('invalid UTF-8 is a 400, not a prompt with replacement characters', async () => {
    const body = Buffer.concat([Buffer.from('{"model":"chat","messages":[{"role":"user","content":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}]}')]);
    const res = await post(chatPath, body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_utf8');
    expect(rig.fake.calls).toHaveLength(0);
  });

  test('wrong content types, encodings and charsets are refused with a 4xx', async () => {
    const ok = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      expect((await post(chatPath, ok, type)).status).toBe(415);
    }
    expect((await post(chatPath, ok, 'application/json; charset=klingon')).status).toBeGreaterThanOrEqual(400);
    const gz = await fetch(`${rig.gw.url}${chatPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: 'not gzip at all',
    });
    expect(gz.status).toBe(400);
    const br = await fetch(`${rig.gw.url}${chatPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'x-unknown' },
      body: ok,
    });
    expect([400, 415]).toContain(br.status);
  });

  test('a body shorter than its Content-Length, or cut off, does not wedge the gateway', async () => {
    const short = await rawRequest(
      rig.gw.port,
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\nConnection: close\r\n\r\n{"model":"chat"',
      3000,
    );
    expect([0, 400, 408]).toContain(short.status);
    const chunkedGarbage = await rawRequest(
      rig.gw.port,
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    );
    expect(chunkedGarbage.status).toBe(400);
    const smuggle = await rawRequest(
      rig.gw.port,
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
    );
    expect(smuggle.status).toBe(400);
    await stillServes();
  });
});

describe('bodies in pieces', () => {
  const body = JSON.stringify({ model: 'healthy', messages: [{ role: 'user', content: 'sent in two pieces' }] });
  const head = (framing: string, extra = 'Connection: close\r\n') =>
    `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${framing}\r\n${extra}\r\n`;
  const lastPrompt = () => (rig.fake.calls.at(-1)?.body?.messages as { content: string }[])[0].content;

  test('a Content-Length body that arrives in pieces is read whole', async () => {
    const answer = await rawRequestInPieces(rig.gw.port, [head(`Content-Length: ${Buffer.byteLength(body)}`) + body.slice(0, 20), body.slice(20)], 50);
    expect(answer.status).toBe(200);
    expect(lastPrompt()).toBe('sent in two pieces');
  });

  test('a chunked body is read to its last chunk', async () => {
    const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
    const answer = await rawRequestInPieces(
      rig.gw.port,
      [head('Transfer-Encoding: chunked') + chunk(body.slice(0, 20)), chunk(body.slice(20)), '0\r\n\r\n'],
      50,
    );
    expect(answer.status).toBe(200);
    expect(lastPrompt()).toBe('sent in two pieces');
  });

  test('two requests sent back to back on one connection are both answered', async () => {
    const one = head(`Content-Length: ${Buffer.byteLength(body)}`, '') + body;
    const answer = await rawRequestInPieces(rig.gw.port, [one + head(`Content-Length: ${Buffer.byteLength(body)}`) + body], 0);
    expect(answer.text.match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
  });
});

describe('broken upstreams', () => {
  const ask = (stream: boolean) => post('/v1/chat/completions', JSON.stringify({ model: 'chat', stream, messages: [{ role: 'user', content: 'hi' }] }));
  const sse = { 'content-type': 'text/event-stream' };

  test.each([
    ['invalid JSON in an event', 'data: {"id":"x","choices":[{"delta":{"content":"hi"\n\n'],
    ['binary noise', '\u0000\u0001\u00ff\ufffd\n\ndata: \u0000\n\n'],
    [
      'no [DONE] and no finish',
      `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'half' }, finish_reason: null }] })}\n\n`,
    ],
    ['an error event', 'data: {"error":{"message":"overloaded","type":"server_error"}}\n\n'],
    ['a huge single line', `data: ${'x'.repeat(3_000_000)}`],
    ['an endless event that never ends its line', `data: ${'x'.repeat(20_000_000)}`],
  ])('a stream with %s ends in a clear error, never a hang or a crash', async (_name, body) => {
    rig.fake.on('model-a', { body, headers: sse });
    const res = await ask(true);
    const text = await res.text();
    if (res.status === 200) {
      expect(text).toContain('"error"');
      expect(text).not.toContain('[DONE]');
    } else {
      expect(res.status).toBeGreaterThanOrEqual(500);
    }
    await stillServes();
  });

  test('a non-JSON answer to a JSON request is a 502', async () => {
    rig.fake.on('model-a', { body: '<html>bad gateway</html>' });
    expect((await ask(false)).status).toBe(502);
    await stillServes();
  });
});

describe('secrets', () => {
  test('a provider key echoed by the upstream reaches neither the client, the log, /health/ready nor /metrics', async () => {
    rig.fake.on('model-a', { status: 401, errorMessage: `Incorrect API key provided: ${PROVIDER_KEY}` });
    rig.fake.on('model-odd', { status: 500, errorMessage: `upstream crashed while holding ${ODD_KEY}` });
    const one = await post('/v1/chat/completions', JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }));
    const two = await post('/v1/chat/completions', JSON.stringify({ model: 'odd', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
    const seen = [
      await one.text(),
      await two.text(),
      await (await fetch(`${rig.gw.url}/health/ready`)).text(),
      await (await fetch(`${rig.gw.url}/metrics`)).text(),
    ];
    expect(one.status).toBeGreaterThanOrEqual(400);
    expect(two.status).toBeGreaterThanOrEqual(400);
    for (const text of [...seen, rig.gw.logs().join('\n')]) {
      expect(text).not.toContain(PROVIDER_KEY);
      expect(text).not.toContain(ODD_KEY);
    }
  });
});
