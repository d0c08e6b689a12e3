/**
 * The built-in `api: mock` provider: answers inside the gateway, with no network, in OpenAI's format.
 * Deterministic (it echoes the last user message unless `mock.reply` is set), so demos and tests can rely
 * on its output; `latency_ms` and `fail_status` simulate a slow or failing provider.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MockOptions } from '../config/types';
import { asAbortSignal } from './abort-flag';
import type { HttpRequestSpec } from './http-spec';
import { ResponseTooLarge, type BufferedResponse, type FetchOptions, type SendOptions, type Transport, type UpstreamResponse } from './transport';

/**
 * The part of an OpenAI chat message the mock reads off the wire. Its own shape, like any server's: the mock stands
 * in for an OpenAI-compatible upstream behind the openai adapter, so it parses request JSON rather than importing
 * the adapters' types (the transport sits below providers/).
 */
interface WireMessage {
  role?: string;
  content?: string | { type?: string; text?: unknown }[] | null;
}

/** A rough token count (about four characters per token), the same rule the mock uses for its usage. */
function roughTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function textOf(message: WireMessage | undefined): string {
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  if (Array.isArray(message.content)) {
    return message.content.map((p) => (p.type === 'text' && typeof p.text === 'string' ? p.text : '')).join(' ');
  }
  return '';
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): UpstreamResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: Readable.from([Buffer.from(JSON.stringify(body))]) };
}

/**
 * @example new MockTransport({ latency_ms: 50 }).send(spec, { cancel: attempt })
 */
export class MockTransport implements Transport {
  constructor(private readonly opts: MockOptions) {}

  async send(spec: HttpRequestSpec, opts: SendOptions): Promise<UpstreamResponse> {
    const latency = this.opts.latency_ms ?? 0;
    if (latency > 0) await sleep(latency, undefined, { signal: asAbortSignal(opts.cancel) });
    if (this.opts.fail_status) {
      const status = this.opts.fail_status;
      return jsonResponse(
        status,
        { error: { message: `mock provider configured to fail with ${status}`, type: 'mock_failure', code: null } },
        status === 429 ? { 'retry-after': '1' } : {},
      );
    }
    const body = JSON.parse(spec.body ?? '{}') as { model?: string; messages?: WireMessage[]; stream?: boolean; input?: unknown };
    const model = body.model ?? 'mock';
    if (spec.url.endsWith('/embeddings')) return jsonResponse(200, embeddingsFor(body.input, model));

    const messages = body.messages ?? [];
    const lastUser = [...messages].reverse().find((m) => m.role === 'user');
    const reply = this.opts.reply ?? `echo: ${textOf(lastUser)}`;
    const promptTokens = roughTokens(messages.map(textOf).join('\n'));
    const completionTokens = roughTokens(reply);
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    const id = `chatcmpl-mock-${createHash('sha1')
      .update(spec.body ?? '')
      .digest('hex')
      .slice(0, 12)}`;
    const created = Math.floor(Date.now() / 1000);

    if (!body.stream) {
      return jsonResponse(200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop', logprobs: null }],
        usage,
      });
    }
    const words = reply.split(/(?<= )/);
    const frames = async function* () {
      const base = { id, object: 'chat.completion.chunk', created, model };
      yield `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`;
      for (const word of words) {
        if (latency > 0) await sleep(Math.min(latency, 20), undefined, { signal: asAbortSignal(opts.cancel) });
        yield `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: word }, finish_reason: null }] })}\n\n`;
      }
      yield `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`;
      yield `data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`;
      yield 'data: [DONE]\n\n';
    };
    return { status: 200, headers: { 'content-type': 'text/event-stream' }, body: Readable.from(frames()) };
  }

  async fetch(spec: HttpRequestSpec, opts: FetchOptions): Promise<BufferedResponse> {
    const res = await this.send(spec, { cancel: opts.cancel });
    opts.onHeaders?.();
    const parts: Buffer[] = [];
    let size = 0;
    for await (const piece of res.body) {
      size += (piece as Buffer).length;
      if (size > opts.maxBytes) throw new ResponseTooLarge(opts.maxBytes);
      parts.push(Buffer.from(piece as Buffer));
    }
    return { status: res.status, headers: res.headers, body: Buffer.concat(parts) };
  }

  async close(): Promise<void> {}
}

/** Deterministic 8-dimensional unit vectors derived from a hash of each input. */
function embeddingsFor(input: unknown, model: string) {
  const inputs = Array.isArray(input) ? input : [input];
  const data = inputs.map((item, index) => {
    const digest = createHash('sha256').update(JSON.stringify(item)).digest();
    const raw = Array.from({ length: 8 }, (_, i) => digest[i] / 255 - 0.5);
    const norm = Math.hypot(...raw) || 1;
    return { object: 'embedding' as const, index, embedding: raw.map((v) => v / norm) };
  });
  const tokens = roughTokens(inputs.map((i) => JSON.stringify(i)).join(''));
  return { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
