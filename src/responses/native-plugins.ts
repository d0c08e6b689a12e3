/**
 * The plugins' onResponse and onStreamChunk on a native Responses backend, with the same contract as on every
 * other endpoint: plugins see chat completions and chat chunks, whatever the client speaks. A native Response is
 * shown as a completion (native.ts `responseToCompletion`) and the text and tool-call arguments a plugin changed
 * are written back into its items; each text-bearing stream event is shown as the one chat chunk it amounts to
 * (`output_text.delta` → `delta.content`, reasoning deltas → `delta.reasoning_content`, argument deltas →
 * `delta.tool_calls`, the terminal event's usage → a choices-less usage chunk), and what the plugin returns
 * becomes the event's delta; dropping the chunk drops the event. The `.done` events and the final Response then
 * carry the text the client was actually sent. Events with nothing a chat chunk can say (hosted tool calls,
 * item and part boundaries) pass without being shown.
 */
import type { ChatCompletion, ChatCompletionChunk, ChunkChoice, Usage } from '../providers/openai-types';
import { responseToCompletion } from './native';
import type { ResponseItem, ResponseObject, ResponsesStreamEvent } from './types';

type Part = { type?: string; text?: string; [k: string]: unknown };

/**
 * The Response with the plugins' changes to its completion (`before` → `after`) written back: a changed text
 * replaces the text of the message items (in the first output_text part), changed tool-call arguments replace
 * those of the function_call items, in order. Nothing else a completion says maps back.
 *
 * @example const after = await pipeline.onResponse(ctx, before); send(withCompletionChanges(native, before, after));
 */
export function withCompletionChanges(response: ResponseObject, before: ChatCompletion, after: ChatCompletion): ResponseObject {
  if (after === before) return response;
  const was = before.choices[0]?.message;
  const now = after.choices[0]?.message;
  if (!now) return response;
  const textChanged = (now.content ?? null) !== (was?.content ?? null);
  const calls = now.tool_calls ?? [];
  let callIndex = 0;
  let textPlaced = false;
  const output = response.output.map((item): ResponseItem => {
    if (item.type === 'message' && textChanged && Array.isArray(item.content)) {
      const content = (item.content as Part[]).flatMap((part): Part[] => {
        if (part.type !== 'output_text') return [part];
        if (textPlaced) return [];
        textPlaced = true;
        return [{ ...part, text: now.content ?? '' }];
      });
      return { ...item, content };
    }
    if (item.type === 'function_call') {
      const call = calls[callIndex++];
      if (call && call.function.arguments !== item.arguments) return { ...item, arguments: call.function.arguments };
    }
    return item;
  });
  return { ...response, output };
}

/** Which chat delta field an event's delta is, and the done events that repeat its whole text. */
const DELTA_FIELD: Record<string, 'content' | 'reasoning_content' | 'arguments'> = {
  'response.output_text.delta': 'content',
  'response.reasoning_text.delta': 'reasoning_content',
  'response.reasoning_summary_text.delta': 'reasoning_content',
  'response.function_call_arguments.delta': 'arguments',
};
const DONE_TEXT = new Set(['response.output_text.done', 'response.reasoning_text.done', 'response.reasoning_summary_text.done']);
const DONE_PART = new Set(['response.content_part.done', 'response.reasoning_summary_part.done']);
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

function partKey(itemId: unknown, ev: Record<string, unknown>): string {
  const at = typeof ev.summary_index === 'number' ? `s${ev.summary_index}` : `c${typeof ev.content_index === 'number' ? ev.content_index : 0}`;
  return `${String(itemId)}/${at}`;
}

/**
 * One per native stream, when a plugin has onStreamChunk.
 *
 * @example
 * const view = new NativeStreamChunks(frame.id, frame.model, (chunk) => pipeline.onStreamChunk(ctx, chunk));
 * for (const ev of events) { const out = view.pass(ev); if (out) write(out); }
 */
export class NativeStreamChunks {
  /** The text the client was sent so far, per item part (`item_id/c0`, `item_id/s0`) or function call (`item_id/args`). */
  private readonly sent = new Map<string, string>();
  /** function_call item id → its index among the stream's tool calls (chat's tool_calls[].index). */
  private readonly toolIndex = new Map<string, number>();
  /** Events are numbered again as they leave, so a dropped one leaves no gap in `sequence_number`. */
  private seq = 0;

  constructor(
    private readonly id: string,
    private readonly model: string,
    private readonly run: (chunk: ChatCompletionChunk) => ChatCompletionChunk | null,
    private readonly created = Math.floor(Date.now() / 1000),
  ) {}

  /** The event as the client gets it, or null when a plugin dropped its chunk. */
  pass(ev: ResponsesStreamEvent): ResponsesStreamEvent | null {
    const out = this.shown(ev);
    return out && this.numbered(out);
  }

  /** An event the gateway made itself (response.failed), numbered after the ones passed. */
  numbered(ev: ResponsesStreamEvent): ResponsesStreamEvent {
    return { ...ev, sequence_number: this.seq++ };
  }

  private shown(ev: ResponsesStreamEvent): ResponsesStreamEvent | null {
    const item = ev.item as ResponseItem | undefined;
    if (ev.type === 'response.output_item.added' && item?.type === 'function_call' && typeof item.id === 'string')
      this.toolIndex.set(item.id, this.toolIndex.size);
    const field = DELTA_FIELD[ev.type];
    if (field && typeof ev.delta === 'string') return this.delta(ev, field);
    if (DONE_TEXT.has(ev.type)) return this.withSent(ev, partKey(ev.item_id, ev), 'text');
    if (ev.type === 'response.function_call_arguments.done') return this.withSent(ev, `${String(ev.item_id)}/args`, 'arguments');
    if (DONE_PART.has(ev.type) && ev.part && typeof ev.part === 'object') {
      const text = this.sent.get(partKey(ev.item_id, ev));
      return text === undefined ? ev : { ...ev, part: { ...(ev.part as Part), text } };
    }
    if (ev.type === 'response.output_item.done' && item) return { ...ev, item: this.itemAsSent(item) };
    if (TERMINAL.has(ev.type) && ev.response && typeof ev.response === 'object') {
      const response = ev.response as ResponseObject;
      const usage = responseToCompletion(response).usage;
      if (response.usage) this.run(this.chunk([], usage));
      return { ...ev, response: { ...response, output: response.output.map((i) => this.itemAsSent(i)) } };
    }
    return ev;
  }

  private delta(ev: ResponsesStreamEvent, field: 'content' | 'reasoning_content' | 'arguments'): ResponsesStreamEvent | null {
    const text = ev.delta as string;
    const itemId = String(ev.item_id);
    const index = this.toolIndex.get(itemId) ?? 0;
    const delta: ChunkChoice['delta'] = field === 'arguments' ? { tool_calls: [{ index, function: { arguments: text } }] } : { [field]: text };
    const out = this.run(this.chunk([{ index: 0, delta, finish_reason: null }]));
    if (!out) return null;
    const d = out.choices[0]?.delta;
    const value = field === 'arguments' ? d?.tool_calls?.[0]?.function?.arguments : d?.[field];
    // A plugin that emptied the delta (or wrote something that is not text) sends no text for it.
    const now = typeof value === 'string' ? value : '';
    const key = field === 'arguments' ? `${itemId}/args` : partKey(itemId, ev);
    this.sent.set(key, (this.sent.get(key) ?? '') + now);
    return { ...ev, delta: now };
  }

  private withSent(ev: ResponsesStreamEvent, key: string, field: 'text' | 'arguments'): ResponsesStreamEvent {
    const text = this.sent.get(key);
    return text === undefined ? ev : { ...ev, [field]: text };
  }

  /** An item with the text of its parts (or its arguments) as the client was sent them. */
  private itemAsSent(item: ResponseItem): ResponseItem {
    const id = String(item.id);
    if (item.type === 'function_call') {
      const args = this.sent.get(`${id}/args`);
      return args === undefined ? item : { ...item, arguments: args };
    }
    const fix = (parts: unknown, kind: 'c' | 's') =>
      Array.isArray(parts)
        ? (parts as Part[]).map((p, i) => (this.sent.has(`${id}/${kind}${i}`) ? { ...p, text: this.sent.get(`${id}/${kind}${i}`) } : p))
        : parts;
    if (item.type === 'message') return { ...item, content: fix(item.content, 'c') };
    if (item.type === 'reasoning') return { ...item, content: fix(item.content, 'c'), summary: fix(item.summary, 's') };
    return item;
  }

  private chunk(choices: ChunkChoice[], usage?: Usage): ChatCompletionChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices, ...(usage ? { usage } : {}) };
  }
}
