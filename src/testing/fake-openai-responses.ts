/**
 * The fake OpenAI's POST /v1/responses: a Response object or its event stream, as strict as OpenAI about what
 * it takes (unknown parameters, item shapes, a function_call_output without its function_call, item references
 * it never stored). Hosted tools work here as on OpenAI: a `web_search` tool adds a web_search_call item.
 */
import type http from 'node:http';
import { streamPieces, type RecordedUpstreamCall } from './fake-upstream-server';
import { sampleForSchema } from './schema-sample';

/** The part of the fake OpenAI's behaviour (FakeBehavior in fake-openai.ts) its Responses answers follow. */
export interface ResponsesBehavior {
  headers?: Record<string, string>;
  reply?: string;
  toolCall?: { name: string; arguments: string };
  usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number };
  errorCode?: string;
  errorMessage?: string;
  dropAfterChunks?: number;
  streamErrorAfterChunks?: number;
  holdStreamError?: Promise<unknown>;
}

const KNOWN = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'text',
  'reasoning',
  'max_output_tokens',
  'max_tool_calls',
  'temperature',
  'top_p',
  'top_logprobs',
  'metadata',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'service_tier',
  'store',
  'previous_response_id',
  'include',
  'truncation',
  'stream',
  'stream_options',
  'background',
  'presence_penalty',
  'frequency_penalty',
  'conversation',
  'prompt',
]);

type Json = Record<string, unknown>;

function refuse(res: http.ServerResponse, message: string, param: string | null, code = 'invalid_request_error'): void {
  res.writeHead(400, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type: 'invalid_request_error', param, code } }));
}

/** What OpenAI would refuse in `body`, as [message, param]; undefined when it would take it. */
function problemOf(body: Json | undefined): [string, string | null] | undefined {
  if (!body) return ['We could not parse the JSON body of your request.', null];
  for (const key of Object.keys(body)) if (!KNOWN.has(key)) return [`Unknown parameter: '${key}'.`, key];
  if (typeof body.model !== 'string') return ["Missing required parameter: 'model'.", 'model'];
  if (body.previous_response_id !== undefined)
    return [`Previous response with id '${JSON.stringify(body.previous_response_id)}' not found.`, 'previous_response_id'];
  const input = body.input;
  if (typeof input === 'string') return undefined;
  if (!Array.isArray(input)) return ["Invalid type for 'input': expected a string or an array.", 'input'];
  const calls = new Set<string>();
  for (const [i, item] of (input as Json[]).entries()) {
    const type = item.type ?? (item.role ? 'message' : undefined);
    if (type === 'reasoning' && item.id !== undefined && item.encrypted_content === undefined)
      return [`Item with id '${JSON.stringify(item.id)}' not found. Items are not persisted when \`store\` is set to false.`, `input[${i}].id`];
    if (type === 'message') {
      if (!['user', 'assistant', 'system', 'developer'].includes(item.role as string)) return [`Invalid value: '${String(item.role)}'.`, `input[${i}].role`];
      if (typeof item.content !== 'string' && !Array.isArray(item.content)) return [`Invalid type for 'input[${i}].content'.`, `input[${i}].content`];
    } else if (type === 'function_call') {
      if (typeof item.call_id !== 'string' || typeof item.name !== 'string' || typeof item.arguments !== 'string')
        return ['Invalid function_call item.', `input[${i}]`];
      calls.add(item.call_id);
    } else if (type === 'function_call_output') {
      if (!calls.has(item.call_id as string)) return [`No tool call found for function call output with call_id ${String(item.call_id)}.`, `input`];
    } else if (type === 'item_reference') {
      return [`Item with id '${JSON.stringify(item.id)}' not found.`, `input[${i}].id`];
    } else if (type !== 'reasoning' && type !== 'web_search_call') {
      return [`Invalid value: ${JSON.stringify(type)}.`, `input[${i}].type`];
    }
  }
  return undefined;
}

function usageOf(body: Json, reply: string, b: ResponsesBehavior) {
  const input = b.usage?.prompt_tokens ?? Math.max(1, Math.ceil(JSON.stringify(body.input ?? '').length / 4));
  const output = b.usage?.completion_tokens ?? Math.max(1, Math.ceil(reply.length / 4));
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: b.usage?.cached_tokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}

/**
 * Answers one POST /v1/responses.
 *
 * @example if (path.endsWith('/responses')) return answerResponses(call, behavior, res, fake.calls.length);
 */
export async function answerResponses(call: RecordedUpstreamCall, b: ResponsesBehavior, res: http.ServerResponse, n: number): Promise<void> {
  const body = call.body;
  const problem = problemOf(body);
  if (problem) return refuse(res, problem[0], problem[1]);
  const req = body!;
  const model = req.model as string;
  const format = (req.text as { format?: { type?: string; schema?: unknown } } | undefined)?.format;
  // Structured outputs: JSON that follows the schema, as OpenAI's constrained decoding makes it.
  const reply = b.reply ?? (format?.type === 'json_schema' ? JSON.stringify(sampleForSchema(format.schema ?? {})) : `reply from ${model}`);
  const id = `resp_fake${n}`;
  const created = Math.floor(Date.now() / 1000);
  const hosted = Array.isArray(req.tools) && (req.tools as Json[]).some((t) => t.type === 'web_search');
  const output: Json[] = [];
  if (hosted) output.push({ type: 'web_search_call', id: `ws_fake${n}`, status: 'completed', action: { type: 'search', query: 'fake' } });
  const messageId = `msg_fake${n}`;
  if (b.toolCall)
    output.push({
      type: 'function_call',
      id: `fc_fake${n}`,
      call_id: 'call_fake_1',
      name: b.toolCall.name,
      arguments: b.toolCall.arguments,
      status: 'completed',
    });
  else
    output.push({
      type: 'message',
      id: messageId,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: reply, annotations: [], logprobs: [] }],
    });
  const response = {
    id,
    object: 'response',
    created_at: created,
    completed_at: created,
    status: 'completed',
    error: null,
    incomplete_details: null,
    model,
    output,
    usage: usageOf(req, reply, b),
    instructions: req.instructions ?? null,
    tools: req.tools ?? [],
    tool_choice: req.tool_choice ?? 'auto',
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    text: req.text ?? { format: { type: 'text' } },
    temperature: req.temperature ?? 1,
    top_p: req.top_p ?? 1,
    truncation: req.truncation ?? 'disabled',
    max_output_tokens: req.max_output_tokens ?? null,
    previous_response_id: null,
    reasoning: req.reasoning ?? { effort: null, summary: null },
    store: req.store !== false,
    metadata: req.metadata ?? {},
    user: req.user ?? null,
  };
  if (req.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json', ...b.headers });
    return void res.end(JSON.stringify(response));
  }

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...b.headers });
  let seq = 0;
  const send = (type: string, fields: Json): void => void res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`);
  const streamError = (): void =>
    void res.end(
      `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: seq++, code: b.errorCode ?? 'server_error', message: b.errorMessage ?? 'fake stream error', param: null })}\n\n`,
    );
  if (b.streamErrorAfterChunks === 0) return streamError();
  const shell = { ...response, status: 'in_progress', output: [], usage: null, completed_at: null };
  send('response.created', { response: shell });
  send('response.in_progress', { response: shell });
  for (const [index, item] of output.entries()) {
    if (item.type === 'message') {
      send('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', content: [] } });
      send('response.content_part.added', {
        item_id: messageId,
        output_index: index,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
      });
      for (const [i, piece] of streamPieces(reply).entries()) {
        if (b.streamErrorAfterChunks !== undefined && i >= b.streamErrorAfterChunks) {
          await b.holdStreamError;
          return streamError();
        }
        if (b.dropAfterChunks !== undefined && i >= b.dropAfterChunks) return void res.req.socket.destroy();
        send('response.output_text.delta', { item_id: messageId, output_index: index, content_index: 0, delta: piece, logprobs: [] });
      }
      send('response.output_text.done', { item_id: messageId, output_index: index, content_index: 0, text: reply, logprobs: [] });
      send('response.content_part.done', { item_id: messageId, output_index: index, content_index: 0, part: (item.content as Json[])[0] });
    } else if (item.type === 'function_call') {
      send('response.output_item.added', { output_index: index, item: { ...item, arguments: '', status: 'in_progress' } });
      send('response.function_call_arguments.delta', { item_id: item.id, output_index: index, delta: item.arguments });
      send('response.function_call_arguments.done', { item_id: item.id, output_index: index, name: item.name, arguments: item.arguments });
    } else {
      send('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress' } });
    }
    send('response.output_item.done', { output_index: index, item });
  }
  send('response.completed', { response });
  res.end();
}
