/**
 * Fake OpenAI-compatible vendors that HAVE their vendor's deviations, for the preset tests: DeepSeek (reasoning
 * text in `reasoning_content`, cache counts in `prompt_cache_hit_tokens`, a 400 for its reasoning sent back),
 * Groq (stream usage only inside `x_groq.usage`), DashScope (`enable_thinking`, refused on non-streamed
 * requests), Mistral (a 422 for any tool-call id that is not 9 letters and digits; its own ids are 9 characters),
 * OpenRouter (`usage.cost` when asked with `usage: { include: true }`) and a keyless local server (Ollama).
 * Each checks its key (`Bearer <key>`) like the real API, and `GET /models` lists its models. `down = true` makes
 * every request fail with a 503, for health-check tests.
 */
import type http from 'node:http';
import { startFakeUpstream, streamPieces, type FakeUpstream, type RecordedUpstreamCall } from './fake-upstream-server';

export type VendorKind = 'deepseek' | 'groq' | 'dashscope' | 'mistral' | 'openrouter' | 'ollama';

/** Per-model behaviour: a tool call instead of text. */
export interface VendorBehavior {
  toolCall?: { name: string; arguments: string };
}

export interface FakeVendor extends FakeUpstream<VendorBehavior> {
  /** Base URL including /v1. */
  url: string;
  kind: VendorKind;
  /** The key it accepts (undefined: keyless, any or no authorization is accepted). */
  key: string | undefined;
  /** While true every request (models list included) fails with a 503. */
  down: boolean;
  /** The models GET /models lists. */
  models: string[];
}

const MISTRAL_ID = /^[A-Za-z0-9]{9}$/;

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function fail(res: http.ServerResponse, status: number, message: string, type = 'invalid_request_error'): void {
  json(res, status, { error: { message, type, param: null, code: null } });
}

type Msg = { role?: string; content?: unknown; tool_calls?: { id?: string }[]; tool_call_id?: string; reasoning_content?: unknown };

/** What the vendor refuses in a chat body, as [status, message], or undefined. */
function refusal(kind: VendorKind, body: Record<string, unknown>): [number, string] | undefined {
  const messages = (body.messages as Msg[] | undefined) ?? [];
  if (kind === 'deepseek' && messages.some((m) => m.role === 'assistant' && m.reasoning_content !== undefined))
    return [400, 'The reasoning_content is an intermediate result for display purposes only and will not be included in the context for inference.'];
  if (kind === 'mistral') {
    const bad = messages
      .flatMap((m) => [...(m.tool_calls ?? []).map((c) => c.id), ...(m.role === 'tool' ? [m.tool_call_id] : [])])
      .find((id) => !MISTRAL_ID.test(String(id)));
    if (bad !== undefined) return [422, `Tool call id was ${String(bad)} but must be a-z, A-Z, 0-9, with a length of 9.`];
  }
  if (kind === 'dashscope') {
    if (body.reasoning_effort !== undefined) return [400, 'Unrecognized request argument: reasoning_effort'];
    if (body.stream !== true && body.enable_thinking !== false) return [400, 'parameter.enable_thinking must be set to false for non-streaming calls'];
  }
  return undefined;
}

function thinks(kind: VendorKind, model: string, body: Record<string, unknown>): boolean {
  if (kind === 'deepseek') return model === 'deepseek-reasoner';
  if (kind === 'dashscope') return body.enable_thinking !== false;
  return false;
}

function usageOf(kind: VendorKind, body: Record<string, unknown>, prompt: number, completion: number, reasoning: number): Record<string, unknown> {
  const base = { prompt_tokens: prompt, completion_tokens: completion + reasoning, total_tokens: prompt + completion + reasoning };
  if (kind === 'deepseek') {
    const hit = Math.floor(prompt / 2);
    return { ...base, prompt_cache_hit_tokens: hit, prompt_cache_miss_tokens: prompt - hit, completion_tokens_details: { reasoning_tokens: reasoning } };
  }
  if (kind === 'openrouter' && (body.usage as { include?: unknown } | undefined)?.include === true) return { ...base, cost: 0.00042 };
  if (kind === 'dashscope') return { ...base, completion_tokens_details: { reasoning_tokens: reasoning } };
  return base;
}

function toolCallId(kind: VendorKind, n: number): string {
  return kind === 'mistral' ? `Mst${String(n).padStart(6, '0')}` : `call_${kind}_${n}`;
}

/**
 * @example
 * const fake = await startFakeVendor('deepseek', { key: 'sk-test' });
 * // providers: { ds: { preset: deepseek, base_url: fake.url } } with DEEPSEEK_API_KEY=sk-test
 */
export async function startFakeVendor(kind: VendorKind, opts: { key?: string; models?: string[] } = {}): Promise<FakeVendor> {
  const upstream = await startFakeUpstream<VendorBehavior>({
    versionPath: '/v1',
    modelOf: (c) => (typeof c.body?.model === 'string' ? c.body.model : undefined),
    handle,
  });
  const fake = Object.assign(upstream, { kind, key: opts.key, down: false, models: opts.models ?? [] }) as FakeVendor;
  return fake;

  function handle(call: RecordedUpstreamCall, b: VendorBehavior, res: http.ServerResponse): void {
    if (fake.down) return fail(res, 503, 'The service is temporarily unavailable.', 'server_error');
    if (fake.key !== undefined && call.headers.authorization !== `Bearer ${fake.key}`) return fail(res, 401, 'Invalid API key.', 'authentication_error');
    const path = call.path.split('?')[0];
    if (call.method === 'GET' && path.endsWith('/models'))
      return json(res, 200, { object: 'list', data: fake.models.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: kind })) });
    if (!path.endsWith('/chat/completions') || !call.body) return fail(res, 404, `No route ${call.method} ${path}`);
    const body = call.body;
    const model = typeof body.model === 'string' ? body.model : '';
    const refused = refusal(kind, body);
    if (refused) return fail(res, refused[0], refused[1]);
    const n = fake.calls.length;
    const reply = `reply from ${model}`;
    const reasoning = thinks(kind, model, body) ? `thinking about ${model}` : undefined;
    const usage = usageOf(kind, body, 10, 4, reasoning ? 3 : 0);
    const created = 1700000000;
    const id = `chatcmpl-${kind}-${n}`;
    if (body.stream !== true) {
      const message: Record<string, unknown> = b.toolCall
        ? { role: 'assistant', content: '', tool_calls: [{ id: toolCallId(kind, n), type: 'function', function: b.toolCall }] }
        : { role: 'assistant', content: reply };
      if (reasoning) message.reasoning_content = reasoning;
      return json(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message, finish_reason: b.toolCall ? 'tool_calls' : 'stop' }],
        usage,
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const base = { id, object: 'chat.completion.chunk', created, model };
    const send = (chunk: Record<string, unknown>) => res.write(`data: ${JSON.stringify({ ...base, ...chunk })}\n\n`);
    send({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    if (reasoning) for (const piece of streamPieces(reasoning)) send({ choices: [{ index: 0, delta: { reasoning_content: piece }, finish_reason: null }] });
    if (b.toolCall)
      send({
        choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: toolCallId(kind, n), type: 'function', function: b.toolCall }] }, finish_reason: null }],
      });
    else for (const piece of streamPieces(reply)) send({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    const finish = { index: 0, delta: {}, finish_reason: b.toolCall ? 'tool_calls' : 'stop' };
    if (kind === 'groq') {
      // Groq: usage rides on the last chunk, inside x_groq, and no separate usage chunk follows.
      send({ choices: [finish], x_groq: { id: `req_${n}`, usage } });
    } else {
      send({ choices: [finish] });
      if ((body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true) send({ choices: [], usage });
    }
    res.end('data: [DONE]\n\n');
  }
}
