/**
 * A fake OpenAI-compatible upstream for tests and benchmarks: real HTTP on 127.0.0.1, OpenAI's JSON and SSE
 * formats, and fault injection (status codes with OpenAI error bodies, Retry-After, hangs, dropped
 * connections, slow answers, streams cut midway). It records every call so tests can count what reached it.
 * The server, the call record and the per-model rules are fake-upstream-server.ts's; this file is the answers.
 */
import type http from 'node:http';
import { startFakeUpstream, streamPieces, type FakeUpstream, type RecordedUpstreamCall } from './fake-upstream-server';
import { answerResponses } from './fake-openai-responses';

/** What the fake does with one request. Fields combine: e.g. `{ delayMs: 200, status: 500 }`. */
export interface FakeBehavior {
  /** Answer with this HTTP status and an OpenAI-style error body (unless `body` is given). */
  status?: number;
  /** Raw body to send instead of the generated one. */
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before the response headers. */
  delayMs?: number;
  /** Wait for this before answering (the call is recorded at once): lets a test hold answers until it releases them. */
  holdUntil?: Promise<unknown>;
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
  /** Reasoning text sent before the answer as `reasoning_content` (as DeepSeek and vLLM send it). */
  reasoning?: string;
  /** Answer with a tool call instead of text. */
  toolCall?: { name: string; arguments: string };
  /** Usage to report (default derived from the prompt and reply lengths); for embeddings only `prompt_tokens` counts. */
  usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number; reasoning_tokens?: number };
  /**
   * Usage fields a vendor adds to OpenAI's, sent as given on top of `usage` (e.g. DeepSeek's
   * `{ prompt_cache_hit_tokens: 1000, prompt_cache_miss_tokens: 234 }`, which it sends without prompt_tokens_details).
   */
  vendorUsage?: Record<string, unknown>;
  /** Error code in the error body (e.g. "context_length_exceeded"). */
  errorCode?: string;
  errorMessage?: string;
  /** For streams: send an OpenAI-style `{"error":…}` event (with `errorMessage`/`errorCode`) after this many chunks (0: before any). */
  streamErrorAfterChunks?: number;
  /** For streams: after this many content chunks, wait for `pauseUntil` (a test aborts meanwhile; no sleep). */
  pauseAfterChunks?: number;
  pauseUntil?: Promise<unknown>;
  /** For streams: wait for this before sending that error event, so a test can first read the chunks before it (no sleep). */
  holdStreamError?: Promise<unknown>;
}

/**
 * Rate-limit headers as OpenAI sends them on every answer (limits of the model asked for), to pass as `headers`.
 *
 * @example fake.on('gpt-4o', { headers: OPENAI_RATE_LIMIT_HEADERS })
 */
export const OPENAI_RATE_LIMIT_HEADERS: Readonly<Record<string, string>> = {
  'x-ratelimit-limit-requests': '500',
  'x-ratelimit-remaining-requests': '499',
  'x-ratelimit-reset-requests': '120ms',
  'x-ratelimit-limit-tokens': '30000',
  'x-ratelimit-remaining-tokens': '29000',
  'x-ratelimit-reset-tokens': '6m0s',
};

/** One request as it reached the fake (the generic record, so `rawBody` is there too). */
export type RecordedCall = RecordedUpstreamCall;

/** The generic fake (calls, rules, open and aborted counts) answering as OpenAI does. */
export interface FakeOpenAI extends FakeUpstream<FakeBehavior> {
  /** Base URL including /v1, ready for a provider's base_url. */
  url: string;
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
    ...(u.reasoning_tokens !== undefined ? { completion_tokens_details: { reasoning_tokens: u.reasoning_tokens } } : {}),
    ...b.vendorUsage,
  };
}

// Unref'd: a delayed answer nobody waits for any more must not keep a test process alive.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/** Every non-streamed answer: JSON, with the behaviour's extra headers. */
function sendJson(res: http.ServerResponse, status: number, body: string, headers?: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

/**
 * @example
 * const fake = await startFakeOpenAI();
 * fake.on('gpt-4o-mini', { status: 500 }, 1); // the next call for that model fails once
 * // ... point a provider's base_url at fake.url ...
 * await fake.close();
 */
export async function startFakeOpenAI(
  opts: { port?: number; host?: string; /** Keep call records (off for benchmarks). */ record?: boolean } = {},
): Promise<FakeOpenAI> {
  const fake: FakeOpenAI = await startFakeUpstream<FakeBehavior>({
    ...opts,
    versionPath: '/v1',
    modelOf: (c) => (typeof c.body?.model === 'string' ? c.body.model : undefined),
    handle,
  });
  return fake;

  // Hoisted; it runs only once the server is listening, so `fake` is set by then.
  async function handle(call: RecordedCall, b: FakeBehavior, res: http.ServerResponse): Promise<void> {
    const { body, model } = call;
    if (b.drop) return void res.req.socket.destroy();
    if (b.hang) return; // never answers; the client's timeout or abort closes it
    if (b.delayMs) await sleep(b.delayMs);
    if (b.holdUntil) await b.holdUntil;
    if (res.destroyed) return;

    const path = call.path.split('?')[0];
    if (b.status && b.status >= 400) return sendJson(res, b.status, b.body ?? errorBody(b.status, b), b.headers);
    if (b.body !== undefined) return sendJson(res, b.status ?? 200, b.body, b.headers);
    if (path.endsWith('/embeddings')) {
      const inputs = Array.isArray(body?.input) ? (body?.input as unknown[]) : [body?.input];
      return sendJson(
        res,
        200,
        JSON.stringify({
          object: 'list',
          model,
          data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })),
          usage: { prompt_tokens: b.usage?.prompt_tokens ?? 3, total_tokens: b.usage?.prompt_tokens ?? 3 },
        }),
        b.headers,
      );
    }
    if (path.endsWith('/v1/completions')) return answerLegacyCompletion(call, b, res, fake.calls.length);
    if (path.endsWith('/responses') && call.method === 'POST') return answerResponses(call, b, res, fake.calls.length);
    if (!path.endsWith('/chat/completions')) {
      // Anything else (files, batches…): echo what arrived, for passthrough tests.
      return sendJson(
        res,
        200,
        JSON.stringify({ echo: { method: call.method, path: call.path, authorization: call.headers.authorization ?? null, body: call.rawBody } }),
        b.headers,
      );
    }

    const reply = b.reply ?? `reply from ${model ?? 'unknown'}`;
    const usage = usageFor(body, reply, b);
    const id = `chatcmpl-fake-${fake.calls.length}`;
    const created = Math.floor(Date.now() / 1000);
    if (body?.stream !== true) {
      const message = b.toolCall
        ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_fake_1', type: 'function', function: b.toolCall }] }
        : { role: 'assistant', content: reply, ...(b.reasoning ? { reasoning_content: b.reasoning } : {}) };
      return sendJson(
        res,
        200,
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{ index: 0, message, finish_reason: b.toolCall ? 'tool_calls' : 'stop', logprobs: null }],
          usage,
        }),
        b.headers,
      );
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...b.headers });
    if (b.firstChunkDelayMs) {
      res.flushHeaders();
      await sleep(b.firstChunkDelayMs);
      if (res.destroyed) return;
    }
    const base = { id, object: 'chat.completion.chunk', created, model };
    const send = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
    const failStream = async () => {
      await b.holdStreamError;
      res.end(
        `data: ${JSON.stringify({ error: { message: b.errorMessage ?? 'fake stream error', type: 'server_error', param: null, code: b.errorCode ?? null } })}\n\n`,
      );
    };
    if (b.streamErrorAfterChunks === 0) return failStream();
    send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    if (b.reasoning) send({ ...base, choices: [{ index: 0, delta: { reasoning_content: b.reasoning }, finish_reason: null }] });
    const pieces = b.toolCall ? [] : streamPieces(reply);
    if (b.toolCall) {
      const args = b.toolCall.arguments;
      const half = Math.floor(args.length / 2);
      send({
        ...base,
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index: 0, id: 'call_fake_1', type: 'function', function: { name: b.toolCall.name, arguments: '' } }] },
            finish_reason: null,
          },
        ],
      });
      for (const part of [args.slice(0, half), args.slice(half)])
        send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: part } }] }, finish_reason: null }] });
    }
    for (const [i, piece] of pieces.entries()) {
      // The role chunk above was the first.
      if (b.streamErrorAfterChunks !== undefined && i + 1 >= b.streamErrorAfterChunks) return failStream();
      if (b.pauseAfterChunks === i) await b.pauseUntil;
      if (b.dropAfterChunks !== undefined && i >= b.dropAfterChunks) return void res.req.socket.destroy();
      if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
      if (res.destroyed) return;
      send({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    }
    if (b.dropAfterChunks !== undefined) return void res.req.socket.destroy();
    send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: b.toolCall ? 'tool_calls' : 'stop' }] });
    const so = body?.stream_options as { include_usage?: boolean } | undefined;
    if (so?.include_usage) send({ ...base, choices: [], usage });
    res.end('data: [DONE]\n\n');
  }
}

/** What OpenAI's legacy POST /v1/completions takes; anything else is "Unrecognized request argument". */
const LEGACY_COMPLETION_FIELDS = new Set([
  'model',
  'prompt',
  'best_of',
  'echo',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'max_tokens',
  'n',
  'presence_penalty',
  'seed',
  'stop',
  'stream',
  'stream_options',
  'suffix',
  'temperature',
  'top_p',
  'user',
]);

/**
 * The checks OpenAI's /v1/completions makes; the complaint, or undefined.
 *
 * @example legacyCompletionProblem({ model: 'm', messages: [] }) // 'Unrecognized request argument supplied: messages'
 */
export function legacyCompletionProblem(body: Record<string, unknown> | undefined): string | undefined {
  if (!body) return 'We could not parse the JSON body of your request.';
  for (const k of Object.keys(body)) if (!LEGACY_COMPLETION_FIELDS.has(k)) return `Unrecognized request argument supplied: ${k}`;
  if (typeof body.model !== 'string') return 'you must provide a model parameter';
  if (body.prompt === undefined) return "Missing required parameter: 'prompt'.";
  if (body.stream_options != null && body.stream !== true) return 'The stream_options parameter is only allowed when stream is enabled.';
  return undefined;
}

/** Fake logprobs in the legacy shape, one entry per word of `text`. */
function legacyLogprobs(text: string, offset: number): Record<string, unknown> {
  const tokens = text.split(/(?<= )/);
  let at = offset;
  const textOffset = tokens.map((t) => ((at += t.length), at - t.length));
  return { tokens, token_logprobs: tokens.map(() => -0.5), top_logprobs: tokens.map((t) => ({ [t]: -0.5 })), text_offset: textOffset };
}

/** POST /v1/completions, strict like OpenAI's: text_completion JSON, or text_completion chunks then [DONE]. */
function answerLegacyCompletion(call: RecordedCall, b: FakeBehavior, res: http.ServerResponse, n: number): void {
  const body = call.body;
  const problem = legacyCompletionProblem(body);
  if (problem) return sendJson(res, 400, JSON.stringify({ error: { message: problem, type: 'invalid_request_error', param: null, code: null } }));
  const prompts = typeof body!.prompt === 'string' ? [body!.prompt] : Array.isArray(body!.prompt) ? (body!.prompt as unknown[]).map(String) : [''];
  const perPrompt = typeof body!.n === 'number' ? body!.n : 1;
  const reply = b.reply ?? `completion from ${call.model ?? 'unknown'}`;
  const texts = prompts.flatMap((p) => Array.from({ length: perPrompt }, () => (body!.echo === true ? p + reply : reply)));
  const withLogprobs = typeof body!.logprobs === 'number';
  const promptTokens = Math.max(1, Math.ceil(prompts.join('').length / 4));
  const completionTokens = texts.reduce((t, x) => t + Math.max(1, Math.ceil(x.length / 4)), 0);
  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  const base = { id: `cmpl-fake-${n}`, object: 'text_completion', created: Math.floor(Date.now() / 1000), model: call.model };
  if (body!.stream !== true) {
    const choices = texts.map((text, index) => ({ text, index, logprobs: withLogprobs ? legacyLogprobs(text, 0) : null, finish_reason: 'stop' }));
    return sendJson(res, 200, JSON.stringify({ ...base, choices, usage }), b.headers);
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...b.headers });
  const send = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
  texts.forEach((text, index) => {
    let offset = 0;
    for (const piece of streamPieces(text)) {
      send({ ...base, choices: [{ text: piece, index, logprobs: withLogprobs ? legacyLogprobs(piece, offset) : null, finish_reason: null }] });
      offset += piece.length;
    }
    send({ ...base, choices: [{ text: '', index, logprobs: null, finish_reason: 'stop' }] });
  });
  if ((body!.stream_options as { include_usage?: boolean } | undefined)?.include_usage) send({ ...base, choices: [], usage });
  res.end('data: [DONE]\n\n');
}
