/**
 * /passthrough/{provider}/* as a first-class route: it runs the plugin lifecycle (auth refuses it, onComplete
 * runs once, one log line, a metric), honours the provider's first-byte timeout, cancels the upstream request
 * when the client leaves, streams both ways, never lets a configured key reach the client (headers and body,
 * on any status, split across chunks or not), and keeps hop-by-hop and credential headers on their side.
 */
import { createHash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { startDaemon, type Daemon } from '../helpers/daemon';

const PROVIDER_KEY = 'sk-passthrough-lifecycle-provider-key-5566';
const CLIENT_KEY = 'client-key-for-passthrough-7788';
const AUTH = { authorization: `Bearer ${CLIENT_KEY}` };

// Counts the hooks a passthrough request runs, by request id, in the log.
const PROBE = `
module.exports = {
  name: 'probe',
  create: (options, env) => ({
    onComplete(ctx, outcome) { env.log.info('probe complete', { request_id: ctx.id, endpoint: ctx.endpoint, status: outcome.status }); },
  }),
};`;

interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * A provider that answers by path, as one with files/batches endpoints would, and reports each request's start
 * ('request') and a request closed before its answer ended ('aborted').
 */
class FakeProvider extends EventEmitter {
  readonly seen: SeenRequest[] = [];
  open = 0;
  /** Lets /v1/echo-split write the rest of its answer. */
  releaseSplit: () => void = () => {};
  private readonly server = http.createServer((req, res) => this.answer(req, res));

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    this.seen.push(seen);
    this.open++;
    res.on('close', () => {
      this.open--;
      if (!res.writableFinished) this.emit('aborted', seen);
    });
    this.emit('request', seen);
    const path = (req.url ?? '').split('?')[0];
    if (path === '/v1/upload') return this.upload(req, res);
    if (path !== '/v1/echo-body') req.resume();
    if (path === '/v1/silent') return; // never answers
    if (path === '/v1/headers') {
      res.writeHead(200, {
        'content-type': 'application/json',
        connection: 'x-upstream-hop',
        'x-upstream-hop': '1',
        'proxy-authenticate': 'Basic realm="upstream"',
        'set-cookie': 'session=upstream',
        'x-kept': 'yes',
      });
      return void res.end(JSON.stringify(req.headers));
    }
    if (path === '/v1/echo-401') {
      res.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `Bearer realm="api", key="${PROVIDER_KEY}"`,
        'x-echo': `your key: ${PROVIDER_KEY}`,
      });
      return void res.end(
        JSON.stringify({ error: { message: `Incorrect API key provided: ${PROVIDER_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }),
      );
    }
    if (path === '/v1/echo-200') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-echo-key': PROVIDER_KEY, 'set-cookie': 'session=upstream' });
      return void res.end(JSON.stringify({ object: 'file', note: `uploaded with ${PROVIDER_KEY}` }));
    }
    if (path === '/v1/echo-gzip') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      return void res.end(zlib.gzipSync(JSON.stringify({ note: `compressed ${PROVIDER_KEY}` })));
    }
    if (path === '/v1/echo-odd-coding') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'zstd' });
      return void res.end('not really zstd');
    }
    if (path === '/v1/echo-body') {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, length: req.headers['content-length'], body: Buffer.concat(parts).toString('utf8') }));
      });
      return;
    }
    if (path === '/v1/cut') {
      // Half an answer, then the connection drops.
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('half of it', () => res.destroy());
      return;
    }
    if (path === '/v1/echo-split') {
      // The key is cut in two writes, and the second waits until the client has seen what came before the key.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(`before ${PROVIDER_KEY.slice(0, 12)}`);
      this.releaseSplit = () => res.end(`${PROVIDER_KEY.slice(12)} after`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [] }));
  }

  /** Answers at once, before reading the body; then counts and hashes the body and reports both at its end. */
  private upload(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('started\n');
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (d: Buffer) => {
      bytes += d.length;
      hash.update(d);
    });
    req.on('end', () => res.end(`received ${bytes} ${hash.digest('hex')}\n`));
  }
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Resolves with the first `event` the emitter reports whose request path is `path`. */
function nextFor(fake: FakeProvider, event: 'request' | 'aborted', path: string): Promise<SeenRequest> {
  return new Promise((resolve) => {
    const on = (seen: SeenRequest) => {
      if (!seen.url.startsWith(path)) return;
      fake.off(event, on);
      resolve(seen);
    };
    fake.on(event, on);
  });
}

function headerValues(headers: http.IncomingHttpHeaders): string {
  return Object.values(headers).flat().join('\n');
}

let fake: FakeProvider;
let gw: Daemon;

beforeAll(async () => {
  fake = new FakeProvider();
  const url = await fake.start();
  gw = await startDaemon({
    files: { 'probe.js': PROBE },
    config: `
providers:
  up:   { api: openai, base_url: "${url}", api_key: "${PROVIDER_KEY}" }
  slow: { api: openai, base_url: "${url}", api_key: "${PROVIDER_KEY}", first_byte_timeout_ms: 300 }
models:
  chat: { targets: [ { provider: up, model: m } ] }
plugins:
  - use: auth
    keys:
      - { name: ops, key: "${CLIENT_KEY}", models: ["*"] }
  - use: ./probe.js
`,
  });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

describe('passthrough runs the request lifecycle', () => {
  test('a passthrough request runs onComplete exactly once, logs one line and is counted in the metrics', async () => {
    const res = await get(gw.port, '/passthrough/up/files', { ...AUTH, 'x-request-id': 'pt-complete-1' });
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('pt-complete-1');
    // The request line is written after onComplete: once it is there, every onComplete has run.
    const line = await gw.waitForLog((r) => r.message === 'request' && r.request_id === 'pt-complete-1');
    expect(line).toMatchObject({ endpoint: 'passthrough', status: 200, key: 'ops' });
    const records = gw.logRecords();
    expect(records.filter((r) => r.message === 'probe complete' && r.request_id === 'pt-complete-1')).toEqual([
      expect.objectContaining({ endpoint: 'passthrough', status: 200 }),
    ]);
    expect(records.filter((r) => r.message === 'request' && r.request_id === 'pt-complete-1')).toHaveLength(1);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_requests_total\{[^}]*endpoint="passthrough"[^}]*status="200"[^}]*\} [1-9]/);
  });

  test('without a key the auth plugin refuses passthrough with a 401 in OpenAI shape that carries x-request-id and is logged', async () => {
    const before = fake.seen.length;
    const res = await get(gw.port, '/passthrough/up/files', { 'x-request-id': 'pt-noauth-1' });
    expect(res.status).toBe(401);
    expect(res.headers['x-request-id']).toBe('pt-noauth-1');
    expect(JSON.parse(res.body)).toMatchObject({ error: { type: 'authentication_error', code: 'invalid_api_key' } });
    expect(fake.seen.length).toBe(before);
    await gw.waitForLog((r) => r.message === 'request' && r.request_id === 'pt-noauth-1' && r.status === 401);
  });
});

describe('no configured key reaches a passthrough client', () => {
  test('an upstream 401 that echoes the key in its body and headers is relayed redacted', async () => {
    const res = await get(gw.port, '/passthrough/up/echo-401', AUTH);
    expect(res.status).toBe(401);
    expect(res.body).not.toContain(PROVIDER_KEY);
    expect(JSON.parse(res.body).error.message).toBe('Incorrect API key provided: [REDACTED].');
    expect(headerValues(res.headers)).not.toContain(PROVIDER_KEY);
    expect(res.headers['x-echo']).toBe('your key: [REDACTED]');
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  test('an upstream 200 that echoes the key is relayed redacted, without its cookie', async () => {
    const res = await get(gw.port, '/passthrough/up/echo-200', AUTH);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ object: 'file', note: 'uploaded with [REDACTED]' });
    expect(res.headers['x-echo-key']).toBe('[REDACTED]');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('an upstream that compresses its answer anyway has it decoded and redacted', async () => {
    const res = await get(gw.port, '/passthrough/up/echo-gzip', AUTH);
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(res.body)).toEqual({ note: 'compressed [REDACTED]' });
    expect(fake.seen.at(-1)!.headers['accept-encoding']).toBe('identity');
  });

  test('an answer in a coding the gateway cannot read is refused with a 502, not relayed unchecked', async () => {
    const res = await get(gw.port, '/passthrough/up/echo-odd-coding', AUTH);
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'upstream_encoding_unsupported' } });
  });

  test('a key split across two upstream chunks is still redacted, and what came before it is not held back', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: gw.port, path: '/passthrough/up/echo-split', headers: AUTH, agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            text += d;
            // The first half of the key is with the gateway now; only then does the upstream send the rest.
            if (text.includes('before')) fake.releaseSplit();
          });
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(body).toBe('before [REDACTED] after');
  });
});

describe('passthrough headers', () => {
  test('Proxy-Authorization, hop-by-hop headers and client credentials are not forwarded; upstream hop-by-hop, proxy and cookie headers are not relayed', async () => {
    const res = await get(gw.port, '/passthrough/up/headers', {
      ...AUTH,
      'proxy-authorization': 'Basic cHJveHk6c2VjcmV0',
      connection: 'x-client-hop',
      'x-client-hop': '1',
      te: 'trailers',
      cookie: 'session=client',
      'x-api-key': CLIENT_KEY,
      'x-switchyard-metadata': '{"team":"a"}',
      'x-kept-request': 'yes',
    });
    expect(res.status).toBe(200);
    const forwarded = JSON.parse(res.body) as Record<string, string>;
    for (const name of ['proxy-authorization', 'x-client-hop', 'te', 'cookie', 'x-api-key', 'x-switchyard-metadata']) expect(forwarded[name]).toBeUndefined();
    expect(forwarded.authorization).toBe('Bearer [REDACTED]'); // the provider's key was sent, and is redacted on the way back
    expect(forwarded['x-kept-request']).toBe('yes');
    expect(fake.seen.at(-1)!.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(fake.seen.at(-1)!.headers['proxy-authorization']).toBeUndefined();
    for (const name of ['x-upstream-hop', 'proxy-authenticate', 'set-cookie']) expect(res.headers[name]).toBeUndefined();
    expect(res.headers['x-kept']).toBe('yes');
  });
});

describe('passthrough timeouts and cancellation', () => {
  test('an upstream that never answers gets a 504 in OpenAI shape at the provider first-byte timeout, and its request is closed', async () => {
    const closed = nextFor(fake, 'aborted', '/v1/silent');
    const res = await get(gw.port, '/passthrough/slow/silent', { ...AUTH, 'x-request-id': 'pt-silent-1' });
    expect(res.status).toBe(504);
    expect(res.headers['x-request-id']).toBe('pt-silent-1');
    expect(JSON.parse(res.body)).toMatchObject({ error: { type: 'timeout_error', code: 'upstream_timeout' } });
    await closed;
  });

  test('an upstream that drops mid-answer cuts the client connection, and the log line blames the upstream', async () => {
    const outcome = await new Promise<string>((resolve) => {
      http
        .get({ host: '127.0.0.1', port: gw.port, path: '/passthrough/up/cut', headers: { ...AUTH, 'x-request-id': 'pt-cut-1' }, agent: false }, (res) => {
          res.on('error', () => resolve('cut'));
          res.on('aborted', () => resolve('cut'));
          res.on('end', () => resolve('ended'));
          res.resume();
        })
        .on('error', () => resolve('cut'));
    });
    expect(outcome).toBe('cut');
    const line = await gw.waitForLog((r) => r.message === 'request' && r.request_id === 'pt-cut-1');
    expect(line).toMatchObject({ status: 200, error: 'up: connection dropped' });
  });

  test('when the client leaves, the upstream request is closed at once', async () => {
    const arrived = nextFor(fake, 'request', '/v1/silent');
    const closed = nextFor(fake, 'aborted', '/v1/silent');
    const req = http.get({
      host: '127.0.0.1',
      port: gw.port,
      path: '/passthrough/up/silent',
      headers: { ...AUTH, 'x-request-id': 'pt-leave-1' },
      agent: false,
    });
    req.on('error', () => {});
    await arrived;
    req.destroy();
    await closed;
    await gw.waitForLog((r) => r.message === 'request' && r.request_id === 'pt-leave-1' && r.status === 499);
  });
});

describe('passthrough streams without buffering', () => {
  test('a POST body and its method reach the provider intact, and the status comes back', async () => {
    const res = await fetch(`${gw.url}/passthrough/up/echo-body`, {
      method: 'PUT',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: '{"purpose":"batch"}',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ method: 'PUT', length: '19', body: '{"purpose":"batch"}' });
  });

  test('a large upload streams through: the upstream answers before the client has finished sending, and every byte arrives', async () => {
    const piece = Buffer.alloc(64 * 1024, 'x');
    const pieces = 128; // 8 MiB
    const hash = createHash('sha256');
    const result = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: gw.port,
        method: 'POST',
        path: '/passthrough/up/upload',
        headers: { ...AUTH, 'content-type': 'application/octet-stream' },
        agent: false,
      });
      req.on('error', reject);
      req.write(piece);
      hash.update(piece);
      req.on('response', (res) => {
        let text = '';
        let sending = false;
        res.setEncoding('utf8');
        res.on('data', async (d: string) => {
          text += d;
          if (sending || !text.startsWith('started\n')) return;
          // The answer began while the body is still open: send the rest now, minding backpressure.
          sending = true;
          for (let i = 1; i < pieces; i++) {
            const p = Buffer.alloc(piece.length, String.fromCharCode(97 + (i % 26)));
            hash.update(p);
            if (!req.write(p)) await once(req, 'drain');
          }
          req.end();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
    });
    expect(result.status).toBe(200);
    expect(result.text).toBe(`started\nreceived ${piece.length * pieces} ${hash.digest('hex')}\n`);
  });
});
