/**
 * Per-provider timeouts and client disconnects through the real daemon: a connect timeout and a first-byte
 * timeout fail over within their bounds (for JSON and for a stream that sent headers and then stalled), and a
 * client that goes away aborts the upstream request at once, before and after the stream started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { gatewayWithFake } from '../helpers/rig';
import { chat, eventually, readSse, streamedText } from '../helpers/client';

/**
 * A loopback port that never completes a TCP handshake: a listener with a backlog of one in a process whose
 * event loop is blocked, so nothing is accepted; once the backlog is filled the kernel drops further SYNs and a
 * connect hangs, as with an upstream host that is down or firewalled.
 */
let unreachable: { port: number; proc: ChildProcess; fillers: net.Socket[] };
beforeAll(async () => {
  const proc = spawn(
    process.execPath,
    [
      '-e',
      `
    const server = require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      // Written synchronously, then the loop blocks at once: by the time the port reaches the test, nothing
      // can accept any more.
      require('node:fs').writeSync(1, server.address().port + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600000);
    });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) => proc.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  const fillers = Array.from({ length: 4 }, () => net.connect(port, '127.0.0.1').on('error', () => undefined));
  unreachable = { port, proc, fillers };
});
afterAll(() => {
  for (const s of unreachable.fillers) s.destroy();
  unreachable.proc.kill('SIGKILL');
});

const config = (url: string) => `
providers:
  sluggish: { api: openai, base_url: "${url}", api_key: "sk-1", first_byte_timeout_ms: 300, timeout_ms: 10000 }
  quick:    { api: openai, base_url: "${url}", api_key: "sk-2", timeout_ms: 10000 }
  down:     { api: openai, base_url: "http://127.0.0.1:${unreachable.port}/v1", api_key: "sk-3", connect_timeout_ms: 300, timeout_ms: 10000 }
models:
  chat:  { strategy: ordered, targets: [ { provider: sluggish, model: stall }, { provider: quick, model: fast } ] }
  lone:  { targets: [ { provider: quick, model: forever } ] }
  far:   { strategy: ordered, targets: [ { provider: down, model: any }, { provider: quick, model: near } ] }
`;

const rig = gatewayWithFake(config);

describe('timeouts', () => {
  test('a connect timeout fails over to the next target within the bound', async () => {
    const res = await chat(rig.gw.url, { model: 'far' });
    expect(res.status).toBe(200);
    // The port never accepts, so only the connect timeout ends the first attempt; timeout_ms (10 s) would end the request.
    expect(res.headers.get('x-switchyard-model')).toBe('near');
    expect(res.headers.get('x-switchyard-attempts')).toBe('2');
    await rig.gw.waitForLog((r) => r.message === 'request' && r.alias === 'far' && String(r.attempt_summary).startsWith('down:'));
  });

  test('a first-byte timeout fails over to the next target within the bound', async () => {
    rig.fake.on('stall', { delayMs: 8000 });
    const abortedBefore = rig.fake.abortedRequests;
    const res = await chat(rig.gw.url, { model: 'chat' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('fast');
    expect(rig.fake.callsFor('stall')).toHaveLength(1);
    // The stalled upstream was cut before its answer (8 s away), so the timeout fired rather than the answer arriving.
    await eventually(() => rig.fake.abortedRequests === abortedBefore + 1, 2000);
    await eventually(() => rig.fake.openRequests === 0, 1000); // the abandoned attempt was closed, not left running
  });

  test('a stream that answers 200 but sends no chunk within the first-byte timeout fails over invisibly', async () => {
    rig.fake.on('stall', { firstChunkDelayMs: 8000 });
    const abortedBefore = rig.fake.abortedRequests;
    const res = await chat(rig.gw.url, { model: 'chat', stream: true });
    const events = await readSse(res);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('fast');
    await eventually(() => rig.fake.abortedRequests === abortedBefore + 1, 2000);
    expect(streamedText(events)).toBe('reply from fast');
    expect(events[events.length - 1]).toBe('[DONE]');
  });

  test('a client that disconnects aborts the upstream request at once', async () => {
    rig.fake.on('forever', { hang: true });
    const abortedBefore = rig.fake.abortedRequests;
    const controller = new AbortController();
    const pending = chat(rig.gw.url, { model: 'lone' }, { signal: controller.signal }).catch((e: Error) => e);
    await eventually(() => rig.fake.callsFor('forever').length === 1);
    controller.abort();
    expect(await pending).toMatchObject({ name: 'AbortError' });
    await eventually(() => rig.fake.abortedRequests === abortedBefore + 1, 2000);
    expect(rig.fake.openRequests).toBe(0);
  });

  test('a client that disconnects mid-stream aborts the upstream stream', async () => {
    rig.fake.on('forever', { chunkDelayMs: 200, reply: 'a long answer that takes its time to arrive word by word' });
    const abortedBefore = rig.fake.abortedRequests;
    const controller = new AbortController();
    const res = await chat(rig.gw.url, { model: 'lone', stream: true }, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read(); // the stream has started
    controller.abort();
    await eventually(() => rig.fake.abortedRequests === abortedBefore + 1, 2000);
    expect(rig.fake.openRequests).toBe(0);
    await rig.gw.waitForLog((r) => r.message === 'request' && r.alias === 'lone' && r.status === 499);
  });
});
