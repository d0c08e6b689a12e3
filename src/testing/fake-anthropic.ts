/**
 * A fake Anthropic Messages API for tests: real HTTP on 127.0.0.1, Anthropic's JSON and SSE formats, the same
 * 400s the real API gives malformed requests (missing max_tokens, a system role in messages, no
 * anthropic-version, unknown fields), and fault injection (529 overloaded, 429 with rate-limit headers,
 * error events mid-stream). `/v1/messages/count_tokens` counts deterministically and, like the real API, refuses
 * the Messages fields it does not take (max_tokens, stream, temperature…: "Extra inputs are not permitted").
 * Thinking blocks are signed over their text, and, as on the real API, a thinking block sent back with a
 * signature that does not match its text is refused, and so is a tool-result turn with thinking on whose
 * assistant turn does not start with its (signed) thinking block. An answer may carry several thinking blocks and
 * redacted_thinking ones (`thoughts`); the tool-result turn after it must send back every one of them, unchanged
 * and in order, or it is refused as the real API refuses modified thinking. With `interleaved`, Claude thinks again
 * between tool calls (thinking, tool_use, thinking, tool_use); each block must then come back in its place among
 * the tool_use blocks (the real API wants the turn's thinking unmodified in place).
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { sampleForSchema } from './schema-sample';
import { sleep, splitInto, startFakeUpstream, streamPieces, type FakeUpstream, type RecordedUpstreamCall } from './fake-upstream-server';

/** What the fake does with one request. */
export interface FakeAnthropicBehavior {
  /** Answer with this status and an Anthropic error body; the error type follows the status unless given. */
  status?: number;
  errorType?: string;
  errorMessage?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Assistant text (default "reply from <model>"). */
  reply?: string;
  /**
   * With thinking on, the answer's reasoning blocks in order (default: one, "Thinking it over."): a string is a
   * signed thinking block, `{ redacted: true }` a redacted_thinking block with opaque data.
   */
  thoughts?: (string | { redacted: true })[];
  /** Answer with a tool_use block (after the text, if `reply` is set too). */
  toolUse?: { name: string; input: Record<string, unknown> };
  /** With thinking on and `toolUse`, more tool calls after it, each after a signed thinking block of its own. */
  interleaved?: { thought: string; toolUse: { name: string; input: Record<string, unknown> } }[];
  /** Usage as Anthropic reports it (cache_creation is the split of cache_creation_input_tokens by TTL). */
  usage?: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens?: number;
    cache_creation_input_tokens?: number;
    cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  };
  /** For streams: after this many content deltas, wait for `pauseUntil` (a test aborts meanwhile; no sleep). */
  pauseAfterDeltas?: number;
  pauseUntil?: Promise<unknown>;
  /** For streams: destroy the connection after this many content deltas (a cut stream; no message_delta). */
  dropAfterDeltas?: number;
  stopReason?: string;
  /** For streams: send an `error` event (overloaded_error unless `errorType`) after this many content deltas. */
  streamErrorAfterDeltas?: number;
  /** For streams: pause before each content delta, so events reach the client in separate reads. */
  chunkDelayMs?: number;
  /** For streams: wait for this before sending the `error` event, so a test can first read what came before it (no sleep). */
  holdStreamError?: Promise<unknown>;
  /** count_tokens: the input_tokens to answer (default: the request body's length / 4, rounded up). */
  inputTokens?: number;
}

export type FakeAnthropic = FakeUpstream<FakeAnthropicBehavior>;

const ERROR_TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const KNOWN_FIELDS = new Set([
  'model',
  'max_tokens',
  'messages',
  'system',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'metadata',
  'thinking',
  'service_tier',
  'container',
  'mcp_servers',
  'output_config',
  'context_management',
]);

/** Anthropic's id pattern for tool_use blocks (and the tool_result ids that answer them). */
const TOOL_USE_ID = /^[a-zA-Z0-9_-]+$/;

/** What /v1/messages/count_tokens accepts (Anthropic's MessageCountTokensParams). */
const COUNT_TOKENS_FIELDS = new Set([
  'model',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'thinking',
  'mcp_servers',
  'context_management',
  'output_format',
  'output_config',
]);

/**
 * The signature the fake gives a thinking block: bound to its text, as Anthropic's is (a changed text, or a
 * signature made up by a client, no longer verifies).
 *
 * @example fakeThinkingSignature('Thinking it over.') // 'sig_…'
 */
export function fakeThinkingSignature(thinking: string): string {
  return `sig_${createHash('sha256').update(`fake-anthropic-thinking\0${thinking}`).digest('base64url')}`;
}

/** The id of the fake's nth tool_use block in an answer (Anthropic's pattern). */
function fakeToolUseId(n: number): string {
  return `toolu_01FakeToolUse${String(n).padStart(10, '0')}`;
}

/** The opaque data of the fake's nth redacted_thinking block (unique per answer). */
function fakeRedactedData(seed: string): string {
  return `EmwKAhgB${createHash('sha256').update(`fake-anthropic-redacted\0${seed}`).digest('base64url')}`;
}

/** What identifies a reasoning block the fake gave out: its signature, or its redacted data. */
function reasoningKey(block: Record<string, unknown>): string | undefined {
  if (block.type === 'thinking') return typeof block.signature === 'string' ? block.signature : undefined;
  if (block.type === 'redacted_thinking') return typeof block.data === 'string' ? block.data : undefined;
  return undefined;
}

/**
 * A content list's reasoning blocks, each as its key and the number of tool_use blocks before it (`key@n`): what
 * must come back unchanged, in order and in place.
 */
function placedReasoningKeys(content: Record<string, unknown>[]): string[] {
  let toolUses = 0;
  const keys: string[] = [];
  for (const block of content) {
    if (block.type === 'tool_use') toolUses++;
    const key = reasoningKey(block);
    if (key !== undefined) keys.push(`${key}@${toolUses}`);
  }
  return keys;
}

/**
 * With thinking on, the assistant turn before the last tool results must hold the reasoning blocks of the answer
 * that made it exactly as given, in order and each in its place among the tool_use blocks (`issued`: first block's
 * key → every block's placed key; `redacted`: every redacted block's data given out); undefined if it does.
 */
function modifiedThinking(messages: { role?: unknown; content?: unknown }[], issued: Map<string, string[]>, redacted: Set<string>): string | undefined {
  const last = messages.length - 1;
  const content = messages[last - 1]?.content;
  if (last < 1 || messages[last - 1].role !== 'assistant' || !Array.isArray(content)) return undefined;
  const blocks = content as Record<string, unknown>[];
  const keys = placedReasoningKeys(blocks);
  const first = blocks.map(reasoningKey).find((k) => k !== undefined);
  const expected = first === undefined ? undefined : issued.get(first);
  const unknownRedacted = blocks.some((b) => b.type === 'redacted_thinking' && !redacted.has(String(b.data)));
  if (!unknownRedacted && (!expected || expected.join('\n') === keys.join('\n'))) return undefined;
  return (
    `messages.${last - 1}.content: \`thinking\` or \`redacted_thinking\` blocks in the latest assistant message cannot be modified. ` +
    'These blocks must remain as they were in the original response.'
  );
}

/**
 * With thinking on, the assistant turn that made the tool calls the last user turn answers must start with its
 * thinking block (Anthropic's rule, and its words); undefined when the conversation keeps it.
 */
function missingThinkingBeforeToolResult(messages: { role?: unknown; content?: unknown }[]): string | undefined {
  const last = messages.length - 1;
  const answers = Array.isArray(messages[last]?.content) && (messages[last].content as { type?: unknown }[]).some((b) => b.type === 'tool_result');
  if (!answers || last < 1 || messages[last - 1].role !== 'assistant') return undefined;
  const content = messages[last - 1].content;
  const first = Array.isArray(content) ? (content[0] as { type?: unknown } | undefined)?.type : 'text';
  if (first === 'thinking' || first === 'redacted_thinking') return undefined;
  return (
    `messages.${last - 1}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first)}\`. When \`thinking\` is enabled, ` +
    'a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). ' +
    'We recommend you include thinking blocks from previous turns. To avoid this requirement, disable `thinking`.'
  );
}

/** True when a structured-output schema has an object that is not closed, which Anthropic refuses. */
function openObjectIn(schema: unknown, depth = 0): boolean {
  if (!schema || typeof schema !== 'object' || depth > 64) return false;
  const s = schema as Record<string, unknown>;
  if (s.type === 'object' && s.additionalProperties !== false) return true;
  const children = [
    ...Object.values((s.properties as Record<string, unknown> | undefined) ?? {}),
    ...Object.values((s.$defs as Record<string, unknown> | undefined) ?? {}),
    s.items,
    ...((s.anyOf as unknown[] | undefined) ?? []),
  ];
  return children.some((c) => openObjectIn(c, depth + 1));
}

function sendError(res: http.ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake', ...headers });
  res.end(JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_fake' }));
}

/**
 * The checks the real API makes before generating anything; returns the complaint, or undefined if valid.
 *
 * @example anthropicRequestProblem(call) // { status: 400, type: 'invalid_request_error', message: 'max_tokens: Field required' }
 */
export function anthropicRequestProblem(
  call: RecordedUpstreamCall,
  endpoint: 'messages' | 'count_tokens' = 'messages',
): { status: number; type: string; message: string } | undefined {
  const bad = (message: string) => ({ status: 400, type: 'invalid_request_error', message });
  if (!call.headers['x-api-key']) return { status: 401, type: 'authentication_error', message: 'x-api-key header is required' };
  if (!call.headers['anthropic-version']) return bad('anthropic-version: header is required');
  const body = call.body;
  if (!body) return bad('There was an issue with your request body: invalid JSON');
  const known = endpoint === 'messages' ? KNOWN_FIELDS : COUNT_TOKENS_FIELDS;
  for (const key of Object.keys(body)) if (!known.has(key)) return bad(`${key}: Extra inputs are not permitted`);
  if (typeof body.model !== 'string') return bad('model: Field required');
  if (endpoint === 'messages' && body.max_tokens === undefined) return bad('max_tokens: Field required');
  if (typeof body.temperature === 'number' && (body.temperature < 0 || body.temperature > 1))
    return bad('temperature: Input should be less than or equal to 1');
  if (body.metadata !== undefined) {
    if (!body.metadata || typeof body.metadata !== 'object') return bad('metadata: Input should be a valid dictionary or object to extract fields from');
    for (const k of Object.keys(body.metadata)) if (k !== 'user_id') return bad(`metadata.${k}: Extra inputs are not permitted`);
  }
  if (body.service_tier !== undefined && body.service_tier !== 'auto' && body.service_tier !== 'standard_only')
    return bad("service_tier: Input should be 'auto' or 'standard_only'");
  if (body.output_config !== undefined) {
    const oc = body.output_config as Record<string, unknown>;
    for (const k of Object.keys(oc)) if (k !== 'format' && k !== 'effort') return bad(`output_config.${k}: Extra inputs are not permitted`);
    const format = oc.format as { type?: unknown; schema?: unknown } | undefined;
    if (format !== undefined && (format.type !== 'json_schema' || !format.schema || typeof format.schema !== 'object'))
      return bad("output_config.format: Input should be an object with type 'json_schema' and a schema");
    if (format !== undefined && openObjectIn(format.schema))
      return bad("output_config.format.schema: For 'object' type, 'additionalProperties' must be explicitly set to false");
  }
  const thinking = body.thinking as { type?: unknown; budget_tokens?: unknown } | undefined;
  if (thinking?.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (typeof budget !== 'number' || budget < 1024) return bad('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
    if (typeof body.max_tokens === 'number' && budget >= body.max_tokens) return bad('`max_tokens` must be greater than `thinking.budget_tokens`.');
    if (body.temperature !== undefined && body.temperature !== 1)
      return bad('`temperature` may only be set to 1 when thinking is enabled or in interleaved thinking mode.');
    if (body.top_k !== undefined) return bad('`top_k` must be unset when thinking is enabled.');
  }
  if (!Array.isArray(body.messages)) return bad('messages: Field required');
  const messages = body.messages as { role?: unknown; content?: unknown }[];
  let previousToolUseIds = new Set<string>();
  for (const [i, m] of messages.entries()) {
    if (m.role === 'system')
      return bad(
        `messages.${i}.role: Unexpected role "system". The Messages API accepts a top-level \`system\` parameter, not "system" as an input message role.`,
      );
    if (m.role !== 'user' && m.role !== 'assistant') return bad(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    const blocks =
      typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : Array.isArray(m.content) ? (m.content as Record<string, unknown>[]) : undefined;
    if (!blocks) return bad(`messages.${i}.content: Field required`);
    if (blocks.some((b) => b.type === 'text' && b.text === '')) return bad('messages: text content blocks must be non-empty');
    for (const [j, b] of blocks.entries()) {
      if (b.type === 'tool_use' && !TOOL_USE_ID.test(String(b.id)))
        return bad(`messages.${i}.content.${j}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`);
      if (b.type === 'tool_result' && !TOOL_USE_ID.test(String(b.tool_use_id)))
        return bad(`messages.${i}.content.${j}.tool_result.tool_use_id: String should match pattern '^[a-zA-Z0-9_-]+$'`);
      if (b.type === 'thinking' && (typeof b.signature !== 'string' || !b.signature))
        return bad(`messages.${i}.content.${j}.thinking.signature: Field required`);
      if (b.type === 'thinking' && b.signature !== fakeThinkingSignature(String(b.thinking)))
        return bad(`messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`);
      if (b.type === 'redacted_thinking' && (typeof b.data !== 'string' || !b.data))
        return bad(`messages.${i}.content.${j}.redacted_thinking.data: Field required`);
    }
    for (const b of blocks) {
      if (b.type === 'tool_result' && !previousToolUseIds.has(String(b.tool_use_id))) {
        return bad(
          `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(b.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
        );
      }
    }
    previousToolUseIds = new Set(blocks.filter((b) => b.type === 'tool_use').map((b) => String(b.id)));
  }
  const thinkingOn = thinking?.type === 'enabled' || thinking?.type === 'adaptive';
  const unthought = endpoint === 'messages' && thinkingOn ? missingThinkingBeforeToolResult(messages) : undefined;
  if (unthought) return bad(unthought);
  return undefined;
}

/**
 * @example
 * const fake = await startFakeAnthropic();
 * fake.on('claude-sonnet-4-5', { status: 529 }, 1); // overloaded once
 * // provider: { api: anthropic, base_url: fake.url, api_key: "k" }
 * await fake.close();
 */
export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  /** Every answer's reasoning blocks in place, by its first block's key, and the redacted data given out (modifiedThinking). */
  const issued = new Map<string, string[]>();
  const redacted = new Set<string>();
  return startFakeUpstream<FakeAnthropicBehavior>({
    versionPath: '/v1',
    modelOf: (c) => (typeof c.body?.model === 'string' ? c.body.model : undefined),
    handle: async (call, b, res) => {
      if (b.delayMs) await sleep(b.delayMs);
      const path = call.path.split('?')[0];
      const endpoint = path === '/v1/messages' ? 'messages' : path === '/v1/messages/count_tokens' ? 'count_tokens' : undefined;
      if (call.method !== 'POST' || !endpoint) return sendError(res, 404, 'not_found_error', `Not found: ${call.path}`);
      const problem = anthropicRequestProblem(call, endpoint);
      if (problem) return sendError(res, problem.status, problem.type, problem.message);
      const thinkingRequested = (call.body?.thinking as { type?: unknown } | undefined)?.type;
      const modified =
        endpoint === 'messages' && (thinkingRequested === 'enabled' || thinkingRequested === 'adaptive')
          ? modifiedThinking(call.body?.messages as { role?: unknown; content?: unknown }[], issued, redacted)
          : undefined;
      if (modified) return sendError(res, 400, 'invalid_request_error', modified);
      if (b.status && b.status >= 400) {
        return sendError(
          res,
          b.status,
          b.errorType ?? ERROR_TYPE_BY_STATUS[b.status] ?? 'api_error',
          b.errorMessage ?? (b.status === 529 ? 'Overloaded' : `fake error ${b.status}`),
          b.headers,
        );
      }
      if (endpoint === 'count_tokens') {
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_fake', ...b.headers });
        return void res.end(JSON.stringify({ input_tokens: b.inputTokens ?? Math.max(1, Math.ceil(call.rawBody.length / 4)) }));
      }
      const model = call.model ?? 'claude';
      // Structured outputs: the text is JSON that follows the schema, as Anthropic's constrained decoding makes it.
      const schema = (call.body?.output_config as { format?: { schema?: unknown } } | undefined)?.format?.schema;
      const text =
        b.toolUse && b.reply === undefined ? '' : (b.reply ?? (schema !== undefined ? JSON.stringify(sampleForSchema(schema)) : `reply from ${model}`));
      // Extended thinking: a signed thinking block before the answer.
      const thinkingOn = (call.body?.thinking as { type?: unknown } | undefined)?.type === 'enabled';
      const thoughts = thinkingOn
        ? (b.thoughts ?? ['Thinking it over.']).map((t, n) =>
            typeof t === 'string'
              ? { type: 'thinking', thinking: t, signature: fakeThinkingSignature(t) }
              : { type: 'redacted_thinking', data: fakeRedactedData(`${call.at}:${n}`) },
          )
        : [];
      // Claude thinking again between tool calls: a signed thinking block before each further tool_use.
      const later = thinkingOn && b.toolUse ? (b.interleaved ?? []) : [];
      const laterBlocks = later.flatMap((step, n) => [
        { type: 'thinking', thinking: step.thought, signature: fakeThinkingSignature(step.thought) },
        { type: 'tool_use', id: fakeToolUseId(n + 2), name: step.toolUse.name, input: step.toolUse.input },
      ]);
      const usage = b.usage ?? { input_tokens: Math.max(1, Math.ceil(call.rawBody.length / 40)), output_tokens: Math.max(1, Math.ceil(text.length / 4)) };
      const stopReason = b.stopReason ?? (b.toolUse ? 'tool_use' : 'end_turn');
      const id = `msg_fake${String(Date.now()).slice(-6)}${call.at % 1000}`;
      const toolId = fakeToolUseId(1);
      const content: Record<string, unknown>[] = [...thoughts];
      if (text) content.push({ type: 'text', text });
      if (b.toolUse) content.push({ type: 'tool_use', id: toolId, name: b.toolUse.name, input: b.toolUse.input });
      content.push(...laterBlocks);
      const keys = placedReasoningKeys(content);
      if (keys.length) issued.set(keys[0].slice(0, keys[0].lastIndexOf('@')), keys);
      for (const t of thoughts) if (t.type === 'redacted_thinking') redacted.add(String(t.data));
      if (call.body?.stream !== true) {
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_fake', ...b.headers });
        return void res.end(JSON.stringify({ id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage }));
      }

      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': 'req_fake', ...b.headers });
      const send = (data: Record<string, unknown>) => res.write(`event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`);
      let deltas = 0;
      const pause = () => (b.chunkDelayMs ? sleep(b.chunkDelayMs) : undefined);
      const maybeFail = async (): Promise<boolean> => {
        if (b.dropAfterDeltas !== undefined && deltas >= b.dropAfterDeltas) {
          res.req.socket.destroy();
          return true;
        }
        if (b.streamErrorAfterDeltas === undefined || deltas < b.streamErrorAfterDeltas) return false;
        await b.holdStreamError;
        send({ type: 'error', error: { type: b.errorType ?? 'overloaded_error', message: b.errorMessage ?? 'Overloaded' } });
        res.end();
        return true;
      };
      send({
        type: 'message_start',
        message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
      });
      let index = 0;
      for (const thought of thoughts) {
        if (thought.type === 'redacted_thinking') send({ type: 'content_block_start', index, content_block: thought });
        else {
          send({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
          send({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: thought.thinking } });
          send({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: thought.signature } });
        }
        send({ type: 'content_block_stop', index });
        index++;
      }
      if (text) {
        send({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        send({ type: 'ping' });
        for (const piece of streamPieces(text)) {
          await pause();
          if (b.pauseAfterDeltas === deltas) await b.pauseUntil;
          if (res.destroyed) return;
          if (await maybeFail()) return;
          send({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
          deltas++;
        }
        send({ type: 'content_block_stop', index });
        index++;
      }
      if (b.toolUse) {
        send({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: toolId, name: b.toolUse.name, input: {} } });
        send({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } });
        for (const piece of splitInto(JSON.stringify(b.toolUse.input), 3)) {
          await pause();
          if (await maybeFail()) return;
          send({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
          deltas++;
        }
        send({ type: 'content_block_stop', index });
        index++;
      }
      for (const block of laterBlocks) {
        if (block.type === 'thinking') {
          send({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
          send({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: block.thinking } });
          send({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
        } else {
          send({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
          send({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
        }
        send({ type: 'content_block_stop', index });
        index++;
      }
      if (await maybeFail()) return;
      send({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
      send({ type: 'message_stop' });
      res.end();
    },
  });
}
