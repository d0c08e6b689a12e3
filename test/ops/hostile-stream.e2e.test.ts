/**
 * Hostile upstream streams through the real daemon: tool-call indexes that used to freeze the gateway (a sparse
 * array of 4294967295 slots, then filtered) or reach a prototype ("__proto__" set Array.prototype.id) are refused
 * with a clean error, the process keeps answering /health/live while such streams run, nothing is polluted, an
 * answer past the assembler's cap is relayed whole but not cached, and an event past the SSE cap gets its
 * documented upstream_event_too_large.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDaemon, type Daemon } from '../helpers/daemon';
import { chat, readSse } from '../helpers/client';

const base = { id: 'chatcmpl-hostile', object: 'chat.completion.chunk', created: 1, model: 'm' };
const text = (content: string) => ({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null }] });
const tool = (index: unknown, extra: Record<string, unknown> = { function: { name: 'f', arguments: '{}' } }) => ({
  ...base,
  choices: [{ index: 0, delta: { tool_calls: [{ index, id: 'polluted', type: 'function', ...extra }] }, finish_reason: null }],
});
const finish = (reason: string) => ({
  ...base,
  choices: [{ index: 0, delta: {}, finish_reason: reason }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});
const BIG = 'b'.repeat(700 * 1024);

/** What the fake streams for each model: SSE `data:` payloads (objects as JSON), or raw text for `raw:` ones. */
const STREAMS: Record<string, (object | string)[]> = {
  // The hostile chunk first: refused before the first byte, a 502.
  'huge-first': [tool(4294967294), finish('tool_calls'), '[DONE]'],
  // After some text: the client already has a 200, so it gets the error event and no [DONE].
  'huge-after': [text('hello '), tool(4294967294), finish('tool_calls'), '[DONE]'],
  'proto-after': [text('hello '), tool('__proto__', {}), finish('tool_calls'), '[DONE]'],
  'negative-after': [text('hello '), tool(-1), finish('tool_calls'), '[DONE]'],
  'fraction-after': [text('hello '), tool(0.5), finish('tool_calls'), '[DONE]'],
  'constructor-after': [text('hello '), tool('constructor'), finish('tool_calls'), '[DONE]'],
  normal: [
    text(''),
    tool(0, { function: { name: 'get_weather', arguments: '{"city":' } }),
    tool(0, { function: { arguments: '"Paris"}' } }),
    finish('tool_calls'),
    '[DONE]',
  ],
  // 1.4 MB of text, past the assembler's 1 MiB cap.
  big: [text(BIG), text(BIG), finish('stop'), '[DONE]'],
};

let upstreamCalls = 0;
/**
 * Streams whose model ends in "-after" send their first event, then wait here (keyed by the prompt) until the test
 * has read that event from the gateway: the hostile chunk then surely arrives after the gateway committed.
 */
const gates = new Map<string, () => void>();

/** An OpenAI-compatible upstream on 127.0.0.1 streaming STREAMS[model], or 17 MiB without a blank line for `endless-event`. */
function startHostileUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString('utf8')));
    req.on('end', () => {
      upstreamCalls++;
      const request = JSON.parse(raw) as { model: string; messages: { content: string }[] };
      const model = request.model;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (model === 'endless-event') {
        res.write(`data: {"pad":"`);
        const piece = 'x'.repeat(64 * 1024);
        let sent = 0;
        const more = () => {
          while (sent < 17 * 1024 * 1024 && !res.destroyed) {
            sent += piece.length;
            if (!res.write(piece)) return void res.once('drain', more);
          }
          if (!res.destroyed) res.end();
        };
        return more();
      }
      const events = (STREAMS[model] ?? []).map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`);
      if (!model.endsWith('-after')) return void res.end(events.join(''));
      res.write(events[0]);
      gates.set(request.messages[0].content, () => res.end(events.slice(1).join('')));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/v1`, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

/** A plugin that reports, on every answer, whether anything set `id` on Object.prototype or Array.prototype in the daemon. */
const prototypeProbe = `
module.exports = {
  name: 'prototype-probe',
  create() {
    return { onRequest(ctx) { ctx.responseHeaders['x-prototype-id'] = JSON.stringify({ array: [].id === undefined ? null : String([].id), object: ({}).id === undefined ? null : String(({}).id) }); } };
  },
};
`;

const models = [...Object.keys(STREAMS), 'endless-event'];
const config = (url: string) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-hostile-test", timeout_ms: 60000 }
  # Seconds of slack for a 17 MiB read that takes ~0.1 s; the quadratic parser of before needed more than this,
  # so its 504 came before the documented upstream_event_too_large.
  tight: { api: openai, base_url: "${url}", api_key: "sk-hostile-test", timeout_ms: 2500 }
retry: { attempts: 1 }
models:
${models.map((m) => `  ${m}: { targets: [ { provider: ${m === 'endless-event' ? 'tight' : 'up'}, model: ${m} } ] }`).join('\n')}
plugins:
  - use: ./probe.js
  - use: cache
    ttl_s: 600
`;

const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
let n = 0;
const ask = (gw: Daemon, model: string) => chat(gw.url, { model, stream: true, tools, messages: [{ role: 'user', content: `q ${++n}` }] });

/** Asks for a "-after" stream: reads the first event, lets the upstream go on, then returns every event. */
async function askAfter(gw: Daemon, model: string, frontDoor: 'openai' | 'anthropic' = 'openai'): Promise<{ status: number; events: string[] }> {
  const prompt = `q ${++n}`;
  const res =
    frontDoor === 'openai'
      ? await chat(gw.url, { model, stream: true, tools, messages: [{ role: 'user', content: prompt }] })
      : await fetch(`${gw.url}/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
          body: JSON.stringify({ model, max_tokens: 100, stream: true, messages: [{ role: 'user', content: prompt }] }),
        });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('\n\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  gates.get(prompt)?.();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return {
    status: res.status,
    events: text
      .split('\n\n')
      .filter((e) => e.trim())
      .map((e) => e.replace(/^data: /, '')),
  };
}

function lastError(events: string[]): { error: { type: string; code: string; message: string } } {
  return JSON.parse(events[events.length - 1]) as { error: { type: string; code: string; message: string } };
}

describe('hostile upstream streams', () => {
  let upstream: Awaited<ReturnType<typeof startHostileUpstream>>;
  let gw: Daemon;
  beforeAll(async () => {
    upstream = await startHostileUpstream();
    gw = await startDaemon({ config: config(upstream.url), files: { 'probe.js': prototypeProbe } });
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  test('a huge tool-call index in the first chunk is refused before the first byte: a clean 502', async () => {
    const res = await ask(gw, 'huge-first');
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { type: string; code: string; message: string } };
    expect(body.error).toMatchObject({ type: 'upstream_error', code: 'all_targets_failed' });
    expect(body.error.message).toMatch(/refuses: tool_calls index must be an integer from 0 to 127, got 4294967294/);
  });

  test.each(['huge-after', 'proto-after', 'negative-after', 'fraction-after', 'constructor-after'])(
    '%s: after the first byte the client gets the text so far, then an error event and no [DONE]',
    async (model) => {
      const { status, events } = await askAfter(gw, model);
      expect(status).toBe(200);
      expect(events).not.toContain('[DONE]');
      expect(events[0]).toContain('hello ');
      expect(lastError(events).error).toMatchObject({ type: 'upstream_error', code: 'upstream_stream_failed' });
      expect(lastError(events).error.message).toMatch(/tool_calls index/);
    },
  );

  test('the Anthropic front door refuses the same chunks: an error event after the first byte, no message_stop', async () => {
    const { status, events } = await askAfter(gw, 'proto-after', 'anthropic');
    expect(status).toBe(200);
    const last = events[events.length - 1];
    expect(last).toMatch(/^event: error\ndata: /);
    expect(last).toMatch(/tool_calls index must be an integer/);
    expect(events.some((e) => e.startsWith('event: message_stop'))).toBe(false);
  });

  test('/health/live answers while attack streams run, and afterwards; nothing reached a prototype; tool calls still work', async () => {
    const attacks = Array.from({ length: 4 }, (_, i) => askAfter(gw, i % 2 ? 'huge-after' : 'proto-after'));
    const live = await fetch(`${gw.url}/health/live`);
    expect(live.status).toBe(200);
    for (const { events } of await Promise.all(attacks)) expect(lastError(events).error.code).toBe('upstream_stream_failed');
    expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);

    const res = await ask(gw, 'normal');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.headers.get('x-prototype-id') ?? '')).toEqual({ array: null, object: null });
    const events = await readSse(res);
    expect(events[events.length - 1]).toBe('[DONE]');
    const args = events
      .slice(0, -1)
      .map((e) => JSON.parse(e) as { choices: { delta: { tool_calls?: { function?: { arguments?: string } }[] } }[] })
      .map((c) => c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '')
      .join('');
    expect(args).toBe('{"city":"Paris"}');
  });

  test('an answer past the assembler cap reaches the client whole but is not cached as a truncated copy', async () => {
    const body = { model: 'big', stream: true, messages: [{ role: 'user', content: 'the same big question' }] };
    const before = upstreamCalls;
    const first = await chat(gw.url, body);
    expect(first.headers.get('x-switchyard-cache')).toBe('miss');
    const events = await readSse(first);
    expect(events[events.length - 1]).toBe('[DONE]');
    const content = events
      .slice(0, -1)
      .map((e) => (JSON.parse(e) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
      .join('');
    expect(content).toHaveLength(2 * BIG.length);
    const second = await chat(gw.url, body);
    expect(second.headers.get('x-switchyard-cache')).not.toBe('hit');
    await readSse(second);
    expect(upstreamCalls - before).toBe(2);
  });

  test('an upstream event past 16 MiB without its blank line ends the attempt at the cap with a 502 (upstream_event_too_large)', async () => {
    const res = await ask(gw, 'endless-event');
    expect(res.status).toBe(502);
    // The attempt ends with upstream_event_too_large; with no other target the client's 502 summarises it.
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/event exceeds 16777216 characters/);
    expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
  });
});
