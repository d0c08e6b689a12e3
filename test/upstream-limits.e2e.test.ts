/**
 * The limits between the gateway and its upstreams, through the real daemon: a provider's pool has a bounded
 * wait queue with a timeout (a full queue or a timed-out wait fails over, or answers a clear 503), and
 * buffered answers are held to a per-answer and a process-wide cap (a clean 502), all of it in /metrics.
 * The fake upstream holds requests until the test releases them, so nothing here depends on timing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDaemon, type Daemon } from './helpers/daemon';
import { eventually, readSse } from './helpers/client';

/** An OpenAI-shaped upstream whose `held-*` models wait for `release()`; `huge*` models send oversized answers. */
interface HoldingUpstream {
  url: string;
  /** Requests parked right now, by model. */
  held(model: string): number;
  /** Requests whose connection the gateway closed before the answer ended. */
  cut(): number;
  release(): void;
  close(): Promise<void>;
}

const completion = (model: string) =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: `reply from ${model}` }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
  });
const chunk = (model: string, delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

async function startHoldingUpstream(): Promise<HoldingUpstream> {
  const parked: { model: string; finish: () => void }[] = [];
  let cut = 0;
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as { model: string; stream?: boolean };
      const model = body.model;
      res.on('close', () => {
        if (!res.writableFinished) cut++;
      });
      if (model === 'huge') {
        // No Content-Length: the gateway only finds out while reading.
        res.writeHead(200, { 'content-type': 'application/json' });
        const piece = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          while (!res.destroyed && res.write(piece));
          if (!res.destroyed) res.once('drain', pump);
        };
        return pump();
      }
      if (model === 'huge-declared') return res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(4 * 1024 ** 3) }).write('{');
      const answer = () => {
        if (!body.stream) return res.writeHead(200, { 'content-type': 'application/json' }).end(completion(model));
        res.end(`${chunk(model, { content: 'done' }, 'stop')}data: [DONE]\n\n`);
      };
      if (!model.startsWith('held')) {
        if (body.stream) res.writeHead(200, { 'content-type': 'text/event-stream' }).write(chunk(model, { role: 'assistant', content: '' }));
        return answer();
      }
      // A slow stream: headers and a first chunk at once, the rest when the test says so.
      if (body.stream) res.writeHead(200, { 'content-type': 'text/event-stream' }).write(chunk(model, { role: 'assistant', content: '' }));
      parked.push({ model, finish: answer });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    held: (model) => parked.filter((p) => p.model === model).length,
    cut: () => cut,
    release: () => parked.splice(0).forEach((p) => p.finish()),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const config = (url: string) => `
server: { max_buffered_upstream_mb: 3 }
providers:
  busy:    { api: openai, base_url: "${url}", api_key: "sk-busy", max_connections: 2, max_queued: 1, queue_timeout_ms: 600000 }
  patient: { api: openai, base_url: "${url}", api_key: "sk-patient", max_connections: 1, max_queued: 5, queue_timeout_ms: 30 }
  spare:   { api: openai, base_url: "${url}", api_key: "sk-spare" }
  capped:  { api: openai, base_url: "${url}", api_key: "sk-capped", max_answer_mb: 1 }
  roomy:   { api: openai, base_url: "${url}", api_key: "sk-roomy", max_answer_mb: 100 }
models:
  only-busy:          { targets: [ { provider: busy, model: held-busy } ] }
  busy-then-spare:    { strategy: ordered, targets: [ { provider: busy, model: held-busy }, { provider: spare, model: fast } ] }
  patient-then-spare: { strategy: ordered, targets: [ { provider: patient, model: held-patient }, { provider: spare, model: fast-after-wait } ] }
  capped-huge:        { targets: [ { provider: capped, model: huge } ] }
  capped-declared:    { targets: [ { provider: capped, model: huge-declared } ] }
  roomy-huge:         { targets: [ { provider: roomy, model: huge } ] }
  capped-then-spare:  { strategy: ordered, targets: [ { provider: capped, model: huge }, { provider: spare, model: fast-after-huge } ] }
`;

let upstream: HoldingUpstream;
let gw: Daemon;

beforeAll(async () => {
  upstream = await startHoldingUpstream();
  gw = await startDaemon({ config: config(upstream.url) });
});
afterAll(async () => {
  upstream?.release();
  await gw?.stop();
  await upstream?.close();
});

const post = (model: string, stream = false) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
  });
const metrics = async () => (await fetch(`${gw.url}/metrics`)).text();
/** Scrapes /metrics until `ready` holds (an event the test waits for, not a time it asserts), then returns it. */
async function metricsWhen(ready: (text: string) => boolean): Promise<string> {
  let text = await metrics();
  for (let i = 0; i < 250 && !ready(text); i++) {
    await new Promise((r) => setTimeout(r, 20));
    text = await metrics();
  }
  expect(ready(text)).toBe(true);
  return text;
}
/** The value of one series in the /metrics text, or undefined when it is absent. */
const series = (text: string, name: string, labels: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe('a provider pool with a bounded wait queue', () => {
  test('with its connections taken by slow streams and its queue full, the next request fails over, or gets a clear 503 when nothing is left', async () => {
    // Two slow streams hold both connections of `busy`.
    const streams = await Promise.all([post('only-busy', true), post('only-busy', true)]);
    expect(streams.map((r) => r.status)).toEqual([200, 200]);
    await eventually(() => upstream.held('held-busy') === 2);
    // The third waits in the queue (max_queued 1), and /metrics says so.
    const third = post('only-busy');
    let text = await metricsWhen((t) => series(t, 'switchyard_upstream_pool_queue_depth', 'provider="busy"') === 1);
    expect(series(text, 'switchyard_upstream_pool_in_use', 'provider="busy"')).toBe(2);

    // The fourth finds the queue full: with another target it is served there ...
    const failedOver = await post('busy-then-spare');
    expect(failedOver.status).toBe(200);
    expect(((await failedOver.json()) as { model: string }).model).toBe('fast');
    // ... and without one it gets a 503 that says why, at once.
    const refused = await post('only-busy');
    expect(refused.status).toBe(503);
    const body = (await refused.json()) as { error: { code: string; type: string; message: string } };
    expect(body.error).toMatchObject({ code: 'upstream_pools_busy', type: 'service_unavailable' });
    expect(body.error.message).toContain('busy: all 2 connections are busy and the wait queue is full');

    // Releasing the slow streams lets the waiting request through.
    upstream.release();
    await Promise.all(streams.map((r) => readSse(r)));
    await eventually(() => upstream.held('held-busy') === 1);
    upstream.release();
    expect((await third).status).toBe(200);

    text = await metrics();
    expect(series(text, 'switchyard_upstream_pool_refusals_total', 'provider="busy",reason="queue_full"')).toBe(2);
    expect(series(text, 'switchyard_upstream_pool_wait_seconds_count', 'provider="busy",result="admitted"')).toBe(1);
    expect(series(text, 'switchyard_upstream_pool_queue_depth', 'provider="busy"')).toBe(0);
  });

  test('passthrough takes its connection slot from the same queue: past max_connections and max_queued it gets a 503', async () => {
    const through = (model: string) =>
      fetch(`${gw.url}/passthrough/busy/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, stream: true, messages: [] }),
      });
    // Two held passthrough streams take both connections of `busy`, a third waits in its queue of one.
    const held = await Promise.all([through('held-busy'), through('held-busy')]);
    expect(held.map((r) => r.status)).toEqual([200, 200]);
    await eventually(() => upstream.held('held-busy') === 2);
    const queued = through('held-busy');
    await metricsWhen((t) => series(t, 'switchyard_upstream_pool_queue_depth', 'provider="busy"') === 1);
    // A model call and a passthrough call now both find the queue full.
    const refused = await through('fast');
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('upstream_queue_full');
    expect((await post('only-busy')).status).toBe(503);
    upstream.release();
    await Promise.all(held.map((r) => r.text()));
    await eventually(() => upstream.held('held-busy') === 1);
    upstream.release();
    const third = await queued;
    expect(third.status).toBe(200);
    await third.text();
    await metricsWhen((t) => series(t, 'switchyard_upstream_pool_in_use', 'provider="busy"') === 0);
  });

  test('a request that waits longer than queue_timeout_ms for a connection fails over to the next target', async () => {
    const first = post('patient-then-spare', true);
    await eventually(() => upstream.held('held-patient') === 1);
    const second = await post('patient-then-spare');
    expect(second.status).toBe(200);
    expect(((await second.json()) as { model: string }).model).toBe('fast-after-wait');
    const text = await metrics();
    expect(series(text, 'switchyard_upstream_pool_refusals_total', 'provider="patient",reason="queue_timeout"')).toBe(1);
    expect(series(text, 'switchyard_upstream_pool_wait_seconds_count', 'provider="patient",result="timed_out"')).toBe(1);
    upstream.release();
    await readSse(await first);
  });
});

describe('buffered upstream answers held to memory limits', () => {
  test("an answer over the provider's max_answer_mb is cut off with a clean 502, and counted", async () => {
    const cutBefore = upstream.cut();
    const res = await post('capped-huge');
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; type: string; message: string } };
    expect(body.error).toMatchObject({ code: 'upstream_answer_too_large', type: 'upstream_error' });
    expect(body.error.message).toContain('capped: the upstream answer is larger than the limit of 1048576 bytes');
    await eventually(() => upstream.cut() === cutBefore + 1);
    const text = await metrics();
    expect(series(text, 'switchyard_upstream_answers_refused_total', 'provider="capped",reason="answer_too_large"')).toBe(1);
    expect(text).toMatch(/^switchyard_upstream_buffered_bytes 0$/m);
  });

  test('a declared Content-Length over the cap is refused before the body is read', async () => {
    const res = await post('capped-declared');
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_answer_too_large');
  });

  test('an answer over the process-wide server.max_buffered_upstream_mb fails with a clean 502 and gives its bytes back', async () => {
    const res = await post('roomy-huge');
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('upstream_buffer_full');
    expect(body.error.message).toContain('server.max_buffered_upstream_mb');
    const text = await metrics();
    expect(series(text, 'switchyard_upstream_answers_refused_total', 'provider="roomy",reason="buffer_full"')).toBe(1);
    expect(text).toMatch(/^switchyard_upstream_buffered_bytes 0$/m);
  });

  test('an answer too large at one target fails over to the next', async () => {
    const res = await post('capped-then-spare');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { model: string }).model).toBe('fast-after-huge');
  });
});
