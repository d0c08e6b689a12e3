import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AttemptSignal } from '../routing/attempt-signal';
import { GatewayError } from '../errors';
import { upstreamBuffers } from './buffer-budget';
import { HttpTransport, ProviderPool, type TransportLimits } from './http-transport';
import { describeTransportError } from './transport';

/**
 * A loopback server: /json answers at once, /big sends 64 KiB (declared), /chunked sends 64 KiB without a
 * Content-Length, /declared-huge declares 1 GiB and stalls, /hold waits until `releaseHeld()`; anything else
 * sends headers then stalls the body.
 */
let server: http.Server;
/** Requests whose connection the client closed before the answer ended. */
let closedEarly = 0;
let origin: string;
let transport: HttpTransport;
let pool: ProviderPool;
const client = new AbortController();
/** Requests parked at /hold, and the count that reached the server (for waiting on events, not time). */
const held: http.ServerResponse[] = [];
let heldArrived: (() => void)[] = [];
const releaseHeld = () => held.splice(0).forEach((res) => res.end('{"held":true}'));
const nextHeld = () => new Promise<void>((resolve) => heldArrived.push(resolve));

const LIMITS: TransportLimits = { maxQueued: 16, queueTimeoutMs: 5000, maxAnswerBytes: 1 << 20, maxBufferedBytes: 1 << 20 };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/json') return res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining-requests': '9' }).end('{"ok":true}');
    if (req.url === '/big') return res.writeHead(200).end(Buffer.alloc(64 * 1024, 'a'));
    if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 16; i++) res.write(Buffer.alloc(4096, 'b'));
      return res.end();
    }
    if (req.url === '/declared-huge') {
      res.on('close', () => {
        if (!res.writableFinished) closedEarly++;
      });
      return res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1 << 30) }).write('{');
    }
    if (req.url === '/hold') {
      held.push(res);
      const waiting = heldArrived;
      heldArrived = [];
      waiting.forEach((f) => f());
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"partial":');
    res.on('close', () => {
      if (!res.writableFinished) closedEarly++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pool = new ProviderPool('test', origin, { connections: 4, connectTimeoutMs: 1000 });
  transport = new HttpTransport(pool, LIMITS);
});

afterAll(async () => {
  releaseHeld();
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
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ status: 502, code: 'upstream_answer_too_large', message: expect.stringContaining('limit of 1024 bytes') });
    expect(upstreamBuffers.heldBytes).toBe(0);
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

/** A fetch under its own limits, against the shared pool; resolves with the answer or the error. */
function fetchWith(limits: Partial<TransportLimits>, path: string, cancel = new AttemptSignal(client.signal, 5000).start()) {
  const t = new HttpTransport(pool, { ...LIMITS, ...limits });
  return t.fetch(spec(path), { cancel, maxBytes: 64 << 20 }).then(
    (res) => {
      cancel.dispose();
      return res;
    },
    (err: unknown) => {
      cancel.dispose();
      return err;
    },
  );
}

describe('HttpTransport.fetch memory limits', () => {
  it("refuses an answer larger than the provider's max answer size while reading it, and gives its bytes back", async () => {
    const err = await fetchWith({ maxAnswerBytes: 10_000 }, '/chunked');
    expect(err).toMatchObject({ status: 502, code: 'upstream_answer_too_large' });
    expect(upstreamBuffers.heldBytes).toBe(0);
  });

  it('refuses a declared Content-Length over the cap before reading the body, and ends the upstream request', async () => {
    const before = closedEarly;
    const err = await fetchWith({}, '/declared-huge');
    expect(err).toMatchObject({ status: 502, code: 'upstream_answer_too_large' });
    expect(upstreamBuffers.heldBytes).toBe(0);
    for (let i = 0; i < 50 && closedEarly === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(closedEarly).toBe(before + 1);
  });

  it('refuses an answer that would pass the process-wide buffer cap, and serves again once bytes are given back', async () => {
    // 64 KiB declared against a 32 KiB budget: refused up front, nothing held.
    expect(await fetchWith({ maxBufferedBytes: 32 * 1024 }, '/big')).toMatchObject({ status: 502, code: 'upstream_buffer_full' });
    // Chunked: charged as it is read, refused midway.
    expect(await fetchWith({ maxBufferedBytes: 32 * 1024 }, '/chunked')).toMatchObject({ status: 502, code: 'upstream_buffer_full' });
    expect(upstreamBuffers.heldBytes).toBe(0);
    const ok = (await fetchWith({ maxBufferedBytes: 128 * 1024 }, '/big')) as { body: Buffer };
    expect(ok.body.length).toBe(64 * 1024);
    expect(upstreamBuffers.heldBytes).toBe(0);
  });

  it('counts the bytes of answers being read against each other, and gives them back when an attempt is aborted', async () => {
    const leaving = new AbortController();
    const cancel = new AttemptSignal(leaving.signal, 5000).start();
    const stalled = fetchWith({}, '/slow', cancel);
    for (let i = 0; i < 50 && upstreamBuffers.heldBytes === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(upstreamBuffers.heldBytes).toBe('{"partial":'.length);
    // While that one holds its 11 bytes, a 64 KiB answer does not fit a budget of 64 KiB.
    expect(await fetchWith({ maxBufferedBytes: 64 * 1024 }, '/big')).toMatchObject({ code: 'upstream_buffer_full' });
    leaving.abort(new Error('client left'));
    await stalled;
    expect(upstreamBuffers.heldBytes).toBe(0);
  });
});

describe('the wait queue in front of the pool', () => {
  it('lets max_connections requests through, queues max_queued more, refuses the next, and admits the waiting one when a connection frees', async () => {
    const small = new ProviderPool('small', origin, { connections: 2, connectTimeoutMs: 1000 });
    const t = new HttpTransport(small, { ...LIMITS, maxQueued: 1 });
    const go = () => {
      const cancel = new AttemptSignal(client.signal, 5000).start();
      return t.fetch(spec('/hold'), { cancel, maxBytes: 1024 }).finally(() => cancel.dispose());
    };
    const arrived = nextHeld().then(nextHeld);
    const first = [go(), go()];
    await arrived;
    const third = go();
    expect(small.admission).toMatchObject({ active: 2, waiting: 1 });
    const fourth = await go().catch((e: unknown) => e);
    expect(fourth).toMatchObject({ status: 503, code: 'upstream_queue_full', message: expect.stringContaining('small: all 2 connections are busy') });
    const thirdArrived = nextHeld();
    releaseHeld();
    await Promise.all(first);
    await thirdArrived;
    expect(small.admission).toMatchObject({ active: 1, waiting: 0 });
    releaseHeld();
    expect((await third).body.toString()).toBe('{"held":true}');
    expect(small.admission).toMatchObject({ active: 0, waiting: 0 });
    await small.close();
  });

  it('fails a request that waited queue_timeout_ms with a queue timeout', async () => {
    const small = new ProviderPool('tiny', origin, { connections: 1, connectTimeoutMs: 1000 });
    const t = new HttpTransport(small, { ...LIMITS, maxQueued: 4, queueTimeoutMs: 20 });
    const arrived = nextHeld();
    const cancel = new AttemptSignal(client.signal, 5000).start();
    const first = t.fetch(spec('/hold'), { cancel, maxBytes: 1024 });
    await arrived;
    const waiting = new AttemptSignal(client.signal, 5000).start();
    const err = await t.fetch(spec('/hold'), { cancel: waiting, maxBytes: 1024 }).catch((e: unknown) => e);
    waiting.dispose();
    expect(err).toMatchObject({ status: 503, code: 'upstream_queue_timeout' });
    expect(small.admission.waiting).toBe(0);
    releaseHeld();
    await first;
    cancel.dispose();
    await small.close();
  });

  it('takes a waiting request out of the queue when its client leaves', async () => {
    const small = new ProviderPool('leaver', origin, { connections: 1, connectTimeoutMs: 1000 });
    const t = new HttpTransport(small, { ...LIMITS, maxQueued: 4 });
    const arrived = nextHeld();
    const cancel = new AttemptSignal(client.signal, 5000).start();
    const first = t.send(spec('/hold'), { cancel });
    await arrived;
    const leaving = new AbortController();
    const waitingCancel = new AttemptSignal(leaving.signal, 5000).start();
    const waiting = t.send(spec('/hold'), { cancel: waitingCancel }).catch((e: unknown) => e);
    expect(small.admission.waiting).toBe(1);
    leaving.abort(new Error('client left'));
    expect(describeTransportError(await waiting, leaving.signal).clientAborted).toBe(true);
    waitingCancel.dispose();
    expect(small.admission.waiting).toBe(0);
    releaseHeld();
    const res = await first;
    res.body.resume();
    await once(res.body, 'end');
    cancel.dispose();
    expect(small.admission.active).toBe(0);
    await small.close();
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
