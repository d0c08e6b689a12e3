import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AttemptSignal } from '../routing/attempt-signal';
import { HttpTransport } from './http-transport';
import { describeTransportError } from './transport';

/** A loopback server: /json answers at once, /big sends 64 KiB, /slow sends headers then stalls the body. */
let server: http.Server;
/** Requests whose connection the client closed before the answer ended. */
let closedEarly = 0;
let origin: string;
let transport: HttpTransport;
const client = new AbortController();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/json') return res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining-requests': '9' }).end('{"ok":true}');
    if (req.url === '/big') return res.writeHead(200).end(Buffer.alloc(64 * 1024, 'a'));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"partial":');
    res.on('close', () => {
      if (!res.writableFinished) closedEarly++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  transport = new HttpTransport(origin, { connections: 4, connectTimeoutMs: 1000 });
});

afterAll(async () => {
  await transport.close().catch(() => undefined);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const spec = (path: string) => ({ method: 'POST' as const, url: `${origin}${path}`, headers: { 'content-type': 'application/json' }, body: '{}' });

describe('HttpTransport.fetch (buffered answers)', () => {
  it('returns the status, headers and whole body, and reports the headers before the body', async () => {
    const attempt = new AttemptSignal(client.signal, 5000).start();
    let headersSeen = 0;
    const res = await transport.fetch(spec('/json'), { cancel: attempt, maxBytes: 1024, onHeaders: () => headersSeen++ });
    attempt.dispose();
    expect(res.status).toBe(200);
    expect(res.headers['x-ratelimit-remaining-requests']).toBe('9');
    expect(res.body.toString()).toBe('{"ok":true}');
    expect(headersSeen).toBe(1);
  });

  it('refuses a body over maxBytes', async () => {
    const attempt = new AttemptSignal(client.signal, 5000).start();
    const err = await transport.fetch(spec('/big'), { cancel: attempt, maxBytes: 1024 }).catch((e: unknown) => e);
    attempt.dispose();
    expect(describeTransportError(err, client.signal).reason).toBe('response larger than 1024 bytes');
  });

  it('stops a stalled body when the attempt times out, with a timeout the router recognises', async () => {
    const attempt = new AttemptSignal(client.signal, 150).start();
    const err = await transport.fetch(spec('/slow'), { cancel: attempt, maxBytes: 1024 }).catch((e: unknown) => e);
    attempt.dispose();
    expect(describeTransportError(err, client.signal)).toMatchObject({ timedOut: true, reason: 'attempt timeout' });
  });

  it('stops at once when the client goes away', async () => {
    const leaving = new AbortController();
    const attempt = new AttemptSignal(leaving.signal, 5000).start();
    const pending = transport.fetch(spec('/slow'), { cancel: attempt, maxBytes: 1024 }).catch((e: unknown) => e);
    setTimeout(() => leaving.abort(new Error('client left')), 50);
    const err = await pending;
    attempt.dispose();
    expect(describeTransportError(err, leaving.signal).clientAborted).toBe(true);
  });
});

describe('HttpTransport.send (streamed answers)', () => {
  it('resolves at the headers and streams the body as it arrives', async () => {
    const attempt = new AttemptSignal(client.signal, 5000).start();
    const res = await transport.send(spec('/slow'), { cancel: attempt });
    expect(res.status).toBe(200);
    const [first] = (await once(res.body, 'data')) as [Buffer];
    expect(first.toString()).toBe('{"partial":');
    res.body.destroy();
    attempt.dispose();
  });

  it('ends the upstream request when the reader stops early', async () => {
    const before = closedEarly;
    const attempt = new AttemptSignal(client.signal, 5000).start();
    const res = await transport.send(spec('/slow'), { cancel: attempt });
    await once(res.body, 'data');
    res.body.destroy();
    attempt.dispose();
    for (let i = 0; i < 50 && closedEarly === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(closedEarly).toBe(before + 1);
  });

  it('fails the body with the attempt timeout once the stream has started', async () => {
    const attempt = new AttemptSignal(client.signal, 150).start();
    const res = await transport.send(spec('/slow'), { cancel: attempt });
    const err = await (async () => {
      for await (const _ of res.body);
    })().catch((e: unknown) => e);
    attempt.dispose();
    expect(describeTransportError(err, client.signal)).toMatchObject({ timedOut: true, reason: 'attempt timeout' });
  });

  it('refuses at once when the client already left', async () => {
    const gone = new AbortController();
    gone.abort(new Error('client left'));
    const err = await transport.send(spec('/json'), { cancel: new AttemptSignal(gone.signal, 5000) }).catch((e: unknown) => e);
    expect(describeTransportError(err, gone.signal).clientAborted).toBe(true);
  });
});
