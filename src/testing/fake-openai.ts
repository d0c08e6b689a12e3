/**
 * A fake OpenAI-compatible upstream for tests and benchmarks: real HTTP on 127.0.0.1, OpenAI's JSON and SSE
 * formats, and fault injection (status codes with OpenAI error bodies, Retry-After, hangs, dropped
 * connections, slow answers, streams cut midway). It records every call so tests can count what reached it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake does with one request. Fields combine: e.g. `{ delayMs: 200, status: 500 }`. */
export interface FakeBehavior {
  /** Answer with this HTTP status and an OpenAI-style error body (unless `body` is given). */
  status?: number;
  /** Raw body to send instead of the generated one. */
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before the response headers. */
  delayMs?: number;
  /** Never answer (until the client gives up). */
  hang?: boolean;
  /** Destroy the connection without answering. */
  drop?: boolean;
  /** For streams: send this many content chunks, then destroy the connection. */
  dropAfterChunks?: number;
  /** For streams: pause between chunks. */
  chunkDelayMs?: number;
  /** For streams: send the 200 headers at once, then wait this long before the first chunk (an overloaded provider). */
  firstChunkDelayMs?: number;
  /** Assistant text (default: "reply from <model>"). */
  reply?: string;
  /** Answer with a tool call instead of text. */
  toolCall?: { name: string; arguments: string };
  /** Usage to report (default derived from the prompt and reply lengths). */
  usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number };
  /** Error code in the error body (e.g. "context_length_exceeded"). */
  errorCode?: string;
  errorMessage?: string;
}

export interface RecordedCall {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
  /** The model named in the body, for counting calls per target. */
  model: string | undefined;
  at: number;
}

interface Rule {
  model: string;
  behavior: FakeBehavior;
  /** Remaining uses; Infinity for a standing rule. */
  times: number;
}

export interface FakeOpenAI {
  /** Base URL including /v1, ready for a provider's base_url. */
  url: string;
  port: number;
  calls: RecordedCall[];
  /** Calls whose body named this model. */
  callsFor(model: string): RecordedCall[];
  /**
   * Sets the behaviour for requests naming `model` ('*' for any), for the next `times` requests (default: all).
   * The most recently added matching rule with uses left wins.
   */
  on(model: string, behavior: FakeBehavior, times?: number): void;
  /** Forgets calls and rules. */
  reset(): void;
  /** Requests currently open (e.g. hanging ones), and how many were aborted by the client. */
  readonly openRequests: number;
  readonly abortedRequests: number;
  close(): Promise<void>;
}

function errorBody(status: number, b: FakeBehavior): string {
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : status === 401 ? 'invalid_request_error' : 'invalid_request_error';
  return JSON.stringify({ error: { message: b.errorMessage ?? `fake upstream error ${status}`, type, param: null, code: b.errorCode ?? null } });
}

function promptText(body: Record<string, unknown> | undefined): string {
  const messages = (body?.messages as { content?: unknown }[] | undefined) ?? [];
  return messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''))).join('\n');
}

function usageFor(body: Record<string, unknown> | undefined, reply: string, b: FakeBehavior) {
  const u = b.usage ?? { prompt_tokens: Math.max(1, Math.ceil(promptText(body).length / 4)), completion_tokens: Math.max(1, Math.ceil(reply.length / 4)) };
  return {
    prompt_tokens: u.prompt_tokens,
    completion_tokens: u.completion_tokens,
    total_tokens: u.prompt_tokens + u.completion_tokens,
    ...(u.cached_tokens !== undefined ? { prompt_tokens_details: { cached_tokens: u.cached_tokens } } : {}),
  };
}

// Unref'd: a delayed answer nobody waits for any more must not keep a test process alive.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/**
 * @example
 * const fake = await startFakeOpenAI();
 * fake.on('gpt-4o-mini', { status: 500 }, 1); // the next call for that model fails once
 * // ... point a provider's base_url at fake.url ...
 * await fake.close();
 */
export async function startFakeOpenAI(opts: { port?: number; host?: string; /** Keep call records (off for benchmarks). */ record?: boolean } = {}): Promise<FakeOpenAI> {
  const calls: RecordedCall[] = [];
  let rules: Rule[] = [];
  let open = 0;
  let aborted = 0;

  const pick = (model: string | undefined): FakeBehavior => {
    for (let i = rules.length - 1; i >= 0; i--) {
      const r = rules[i];
      if ((r.model === '*' || r.model === model) && r.times > 0) {
        r.times--;
        return r.behavior;
      }
    }
    return {};
  };

  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => void handle(req, res, Buffer.concat(parts).toString('utf8')));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, text: string): Promise<void> {
    let body: Record<string, unknown> | undefined;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      body = undefined;
    }
    const model = typeof body?.model === 'string' ? body.model : undefined;
    if (opts.record !== false) calls.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, model, at: Date.now() });
    const b = pick(model);
    open++;
    let finished = false;
    res.on('close', () => {
      open--;
      if (!finished && !res.writableFinished) aborted++;
    });
    if (b.drop) return void req.socket.destroy();
    if (b.hang) return; // never answers; the client's timeout or abort closes it
    if (b.delayMs) await sleep(b.delayMs);
    if (res.destroyed) return;

    const path = (req.url ?? '').split('?')[0];
    if (b.status && b.status >= 400) {
      res.writeHead(b.status, { 'content-type': 'application/json', ...b.headers });
      finished = true;
      return void res.end(b.body ?? errorBody(b.status, b));
    }
    if (b.body !== undefined) {
      res.writeHead(b.status ?? 200, { 'content-type': 'application/json', ...b.headers });
      finished = true;
      return void res.end(b.body);
    }
    if (path.endsWith('/embeddings')) {
      const inputs = Array.isArray(body?.input) ? (body?.input as unknown[]) : [body?.input];
      res.writeHead(200, { 'content-type': 'application/json', ...b.headers });
      finished = true;
      return void res.end(JSON.stringify({ object: 'list', model, data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })), usage: { prompt_tokens: 3, total_tokens: 3 } }));
    }
    if (!path.endsWith('/chat/completions')) {
      // Anything else (files, batches…): echo what arrived, for passthrough tests.
      res.writeHead(200, { 'content-type': 'application/json', ...b.headers });
      finished = true;
      return void res.end(JSON.stringify({ echo: { method: req.method, path: req.url, authorization: req.headers.authorization ?? null, body: text } }));
    }

    const reply = b.reply ?? `reply from ${model ?? 'unknown'}`;
    const usage = usageFor(body, reply, b);
    const id = `chatcmpl-fake-${calls.length}`;
    const created = Math.floor(Date.now() / 1000);
    if (body?.stream !== true) {
      const message = b.toolCall
        ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_fake_1', type: 'function', function: b.toolCall }] }
        : { role: 'assistant', content: reply };
      res.writeHead(200, { 'content-type': 'application/json', ...b.headers });
      finished = true;
      return void res.end(JSON.stringify({ id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: b.toolCall ? 'tool_calls' : 'stop', logprobs: null }], usage }));
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...b.headers });
    if (b.firstChunkDelayMs) {
      res.flushHeaders();
      await sleep(b.firstChunkDelayMs);
      if (res.destroyed) return;
    }
    const base = { id, object: 'chat.completion.chunk', created, model };
    const send = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
    send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    const pieces = b.toolCall ? [] : reply.split(/(?<= )/);
    if (b.toolCall) {
      const args = b.toolCall.arguments;
      const half = Math.floor(args.length / 2);
      send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_fake_1', type: 'function', function: { name: b.toolCall.name, arguments: '' } }] }, finish_reason: null }] });
      for (const part of [args.slice(0, half), args.slice(half)]) send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: part } }] }, finish_reason: null }] });
    }
    for (const [i, piece] of pieces.entries()) {
      if (b.dropAfterChunks !== undefined && i >= b.dropAfterChunks) return void req.socket.destroy();
      if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
      if (res.destroyed) return;
      send({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    }
    if (b.dropAfterChunks !== undefined) return void req.socket.destroy();
    send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: b.toolCall ? 'tool_calls' : 'stop' }] });
    const so = body?.stream_options as { include_usage?: boolean } | undefined;
    if (so?.include_usage) send({ ...base, choices: [], usage });
    finished = true;
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    calls,
    callsFor: (model) => calls.filter((c) => c.model === model),
    on: (model, behavior, times = Infinity) => void rules.push({ model, behavior, times }),
    reset: () => {
      calls.length = 0;
      rules = [];
    },
    get openRequests() {
      return open;
    },
    get abortedRequests() {
      return aborted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
