/**
 * A chat completion (from any backend) → the Responses API's Response object: the text becomes a `message`
 * item with an `output_text` part, each tool call a `function_call` item, reasoning text a `reasoning` item;
 * usage is renamed; the request's settings are echoed as the specification lists them, with the model the
 * client asked for (its alias).
 */
import type { ChatCompletion, FinishReason, Usage } from '../providers/openai-types';
import { itemId } from './ids';
import { inAnswerOrder, reasoningBlocksOf, type ReasoningBlock } from '../providers/anthropic/reasoning-blocks';
import { sealReasoning } from './sealed-reasoning';
import type { ResponseItem, ResponseObject, ResponsesRequest, ResponsesUsage, ResponseStatus } from './types';

/** What a Response carries besides its output: its id, its times, the request it answers. */
export interface ResponseFrame {
  id: string;
  /** Seconds since epoch. */
  createdAt: number;
  request: ResponsesRequest;
  /** The model as the client named it. */
  model: string;
}

/**
 * OpenAI's usage names → the Responses API's (cached and reasoning tokens are parts of input and output, in both).
 *
 * @example responsesUsage({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }).input_tokens // 10
 */
export function responsesUsage(usage: Usage | null | undefined): ResponsesUsage {
  const input = usage?.prompt_tokens ?? 0;
  const output = usage?.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage?.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage?.total_tokens ?? input + output,
  };
}

/**
 * How a chat answer ended, as a Response status: cut by the token limit or a content filter is `incomplete`.
 *
 * @example statusOf('length') // { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }
 */
export function statusOf(finish: FinishReason | undefined): { status: ResponseStatus; incomplete_details: { reason: string } | null } {
  if (finish === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finish === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/**
 * A Response with no output yet: the request's settings echoed, defaults filled in as OpenAI reports them.
 *
 * @example responseShell(frame, 'in_progress').status // 'in_progress'
 */
export function responseShell(frame: ResponseFrame, status: ResponseStatus): ResponseObject {
  const r = frame.request;
  return {
    id: frame.id,
    object: 'response',
    created_at: frame.createdAt,
    completed_at: null,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: r.instructions ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    max_tool_calls: r.max_tool_calls ?? null,
    model: frame.model,
    output: [],
    parallel_tool_calls: r.parallel_tool_calls ?? true,
    previous_response_id: r.previous_response_id ?? null,
    prompt_cache_key: r.prompt_cache_key ?? null,
    reasoning: { effort: r.reasoning?.effort ?? null, summary: r.reasoning?.summary ?? r.reasoning?.generate_summary ?? null },
    safety_identifier: r.safety_identifier ?? null,
    service_tier: r.service_tier ?? 'default',
    store: r.store !== false,
    temperature: r.temperature ?? 1,
    text: { format: r.text?.format ?? { type: 'text' }, verbosity: r.text?.verbosity ?? 'medium' },
    tool_choice: r.tool_choice ?? 'auto',
    tools: r.tools ?? [],
    top_logprobs: r.top_logprobs ?? 0,
    top_p: r.top_p ?? 1,
    presence_penalty: r.presence_penalty ?? 0,
    frequency_penalty: r.frequency_penalty ?? 0,
    truncation: r.truncation ?? 'disabled',
    usage: null,
    user: r.user ?? null,
    metadata: r.metadata ?? {},
  };
}

/** The `message` output item for `text`. */
export function messageItem(id: string, text: string, status = 'completed'): ResponseItem {
  return { type: 'message', id, status, role: 'assistant', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] };
}

/**
 * True when the client asked for a reasoning summary: the backend's reasoning text is then reported as the
 * summary (what such clients, the AI SDK among them, read), otherwise as raw `reasoning_text` content.
 *
 * @example wantsSummary({ model: 'm', input: [], reasoning: { summary: 'auto' } }) // true
 */
export function wantsSummary(request: ResponsesRequest): boolean {
  return Boolean(request.reasoning?.summary ?? request.reasoning?.generate_summary);
}

/**
 * The `reasoning` output item for reasoning text, as a summary or as raw content; with the backend's signed block
 * (one item per block), the block sealed in `encrypted_content` (sealed-reasoning.ts).
 */
export function reasoningItem(id: string, text: string, asSummary = false, block?: ReasoningBlock): ResponseItem {
  const sealed = block ? { encrypted_content: sealReasoning(block) } : {};
  // A redacted block has nothing to show: the item is its seal alone.
  if (block?.type === 'redacted_thinking') return { type: 'reasoning', id, summary: [], ...sealed };
  if (asSummary) return { type: 'reasoning', id, summary: [{ type: 'summary_text', text }], ...sealed };
  return { type: 'reasoning', id, summary: [], content: [{ type: 'reasoning_text', text }], ...sealed };
}

/** The `function_call` output item of one tool call. */
export function functionCallItem(id: string, callId: string, name: string, args: string, status = 'completed'): ResponseItem {
  return { type: 'function_call', id, call_id: callId, name, arguments: args, status };
}

/**
 * @example completionToResponse(completion, { id: 'resp_…', createdAt, request, model: 'fast' }).output[0].content[0].text // 'Hello'
 */
export function completionToResponse(completion: ChatCompletion, frame: ResponseFrame, completedAt: number): ResponseObject {
  const choice = completion.choices[0];
  const message = choice?.message;
  const reasoning = typeof message?.reasoning_content === 'string' ? message.reasoning_content : '';
  const blocks = message ? reasoningBlocksOf(message) : [];
  const asSummary = wantsSummary(frame.request);
  // Each item is made once its place (and so its id) is known.
  type Item = (index: number) => ResponseItem;
  const head: Item[] = [];
  // Reasoning nobody signed is one item.
  if (!blocks.length && reasoning) head.push((n) => reasoningItem(itemId('rs', frame.id, n), reasoning, asSummary));
  const text = message?.content;
  if (typeof text === 'string' && text) head.push((n) => messageItem(itemId('msg', frame.id, n), text));
  const refusal = message?.refusal;
  if (typeof refusal === 'string' && refusal) {
    head.push((n) => ({ type: 'message', id: itemId('msg', frame.id, n), status: 'completed', role: 'assistant', content: [{ type: 'refusal', refusal }] }));
  }
  const calls = (message?.tool_calls ?? []).map(
    (call): Item =>
      (n) =>
        functionCallItem(itemId('fc', frame.id, n), call.id, call.function.name, call.function.arguments),
  );
  // One item per signed block, in Claude's order: before the answer, or between the function_call items it came
  // between, so a client that sends the items back in order sends Claude its order. A block whose text is empty
  // still goes out: Claude needs it back with the tool results.
  const sealed =
    (block: ReasoningBlock): Item =>
    (n) =>
      reasoningItem(itemId('rs', frame.id, n), block.type === 'thinking' ? block.thinking : '', asSummary, block);
  const output = inAnswerOrder(blocks, head, calls, sealed).map((make, n) => make(n));
  return {
    ...responseShell(frame, 'completed'),
    ...statusOf(choice?.finish_reason),
    completed_at: completedAt,
    output,
    usage: responsesUsage(completion.usage),
  };
}
