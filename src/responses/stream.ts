/**
 * Chat completion chunks (from any backend) → the Responses API's stream events, numbered by `sequence_number`:
 * response.created, response.in_progress, then per output item output_item.added, content_part.added, the text,
 * reasoning or argument deltas and their .done, content_part.done, output_item.done, and at the end
 * response.completed or response.incomplete — or response.failed when the stream broke after it began.
 */
import type { GatewayError } from '../errors';
import type { ChatCompletionChunk, FinishReason, ToolCallDelta, Usage } from '../providers/openai-types';
import { itemId } from './ids';
import { functionCallItem, messageItem, reasoningItem, responseShell, responsesUsage, statusOf, wantsSummary, type ResponseFrame } from './response';
import { itemForClient, responseForClient, wantsEncryptedReasoning } from './sealed-reasoning';
import type { ResponseItem, ResponseObject, ResponsesStreamEvent } from './types';

/** The event names of each kind of streamed text part. */
const PART_EVENTS = {
  message: {
    added: 'response.content_part.added',
    delta: 'response.output_text.delta',
    textDone: 'response.output_text.done',
    done: 'response.content_part.done',
  },
  reasoning: {
    added: 'response.content_part.added',
    delta: 'response.reasoning_text.delta',
    textDone: 'response.reasoning_text.done',
    done: 'response.content_part.done',
  },
  summary: {
    added: 'response.reasoning_summary_part.added',
    delta: 'response.reasoning_summary_text.delta',
    textDone: 'response.reasoning_summary_text.done',
    done: 'response.reasoning_summary_part.done',
  },
} as const;

/** The text item being streamed: a message, raw reasoning, or reasoning reported as its summary. */
interface OpenText {
  kind: 'message' | 'reasoning' | 'summary';
  index: number;
  id: string;
  text: string;
  /** The backend's signature of reasoning text (Anthropic's signature_delta), sealed into the item when it closes. */
  signature?: string;
}

interface OpenCall {
  index: number;
  id: string;
  callId: string;
  name: string;
  args: string;
}

/**
 * One instance per stream.
 *
 * @example
 * const toEvents = new ChunksToResponseEvents(frame);
 * write(toEvents.start());
 * for await (const chunk of chunks) write(toEvents.push(chunk));
 * write(toEvents.finish(Math.floor(Date.now() / 1000)));
 * store(toEvents.final); // with the sealed reasoning the client may not have asked to see
 */
export class ChunksToResponseEvents {
  private seq = 0;
  private readonly output: ResponseItem[] = [];
  private open: OpenText | undefined;
  /** Tool calls by their chat index; open until the stream ends, since their argument deltas may interleave. */
  private readonly calls = new Map<number, OpenCall>();
  private finishReason: FinishReason = null;
  private usage: Usage | null | undefined;
  private readonly reasoningKind: OpenText['kind'];
  /** The client asked for encrypted reasoning: sealed reasoning is in the items it is sent. */
  private readonly withEncrypted: boolean;
  /** The finished Response, everything in it (set by finish). */
  final: ResponseObject | undefined;

  constructor(private readonly frame: ResponseFrame) {
    this.reasoningKind = wantsSummary(frame.request) ? 'summary' : 'reasoning';
    this.withEncrypted = wantsEncryptedReasoning(frame.request.include);
  }

  /** response.created and response.in_progress. */
  start(): ResponsesStreamEvent[] {
    const shell = responseShell(this.frame, 'in_progress');
    return [this.event('response.created', { response: shell }), this.event('response.in_progress', { response: shell })];
  }

  push(chunk: ChatCompletionChunk): ResponsesStreamEvent[] {
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices.find((c) => c.index === 0);
    if (!choice) return [];
    const out: ResponsesStreamEvent[] = [];
    const { content, tool_calls: toolCalls } = choice.delta;
    const reasoning = choice.delta.reasoning_content;
    if (typeof reasoning === 'string' && reasoning) this.textDelta(this.reasoningKind, reasoning, out);
    const signature = choice.delta.reasoning_signature;
    if (typeof signature === 'string' && signature) this.sign(signature, out);
    const redacted = choice.delta.reasoning_redacted;
    if (typeof redacted === 'string' && redacted) this.redactedItem(redacted, out);
    if (typeof content === 'string' && content) this.textDelta('message', content, out);
    for (const delta of toolCalls ?? []) this.toolDelta(delta, out);
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    return out;
  }

  /** Closes every item and ends with response.completed (or response.incomplete, when the answer was cut short). */
  finish(completedAt: number): ResponsesStreamEvent[] {
    const out: ResponsesStreamEvent[] = [];
    this.closeText(out);
    for (const call of [...this.calls.values()].sort((a, b) => a.index - b.index)) this.closeCall(call, out);
    this.calls.clear();
    const response = this.result(completedAt);
    this.final = response;
    const type = response.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
    out.push(this.event(type, { response: responseForClient(response, this.withEncrypted) }));
    return out;
  }

  /** After the stream began, a failure: response.failed with what was produced so far. */
  fail(err: Pick<GatewayError, 'code' | 'message'>): ResponsesStreamEvent {
    const response: ResponseObject = {
      ...responseShell(this.frame, 'failed'),
      output: this.output.filter((item) => item !== undefined).map((item) => itemForClient(item, this.withEncrypted)),
      error: { code: err.code ?? 'server_error', message: err.message },
      usage: this.usage ? responsesUsage(this.usage) : null,
    };
    return this.event('response.failed', { response });
  }

  /** The Response the stream told, once finished (what is stored for previous_response_id). */
  result(completedAt: number): ResponseObject {
    return {
      ...responseShell(this.frame, 'completed'),
      ...statusOf(this.finishReason),
      completed_at: completedAt,
      output: [...this.output],
      usage: responsesUsage(this.usage),
    };
  }

  /**
   * A signature belongs to the reasoning being streamed (Claude sends it at the end of the thinking block) and ends
   * that item; one that comes with no unsigned reasoning open opens an item for it (a block whose text was empty).
   */
  private sign(signature: string, out: ResponsesStreamEvent[]): void {
    if (this.open?.kind !== this.reasoningKind || this.open.signature !== undefined) this.openText(this.reasoningKind, out);
    this.open!.signature = signature;
  }

  /** A redacted block is whole when it comes: one reasoning item with nothing to show but its seal. */
  private redactedItem(data: string, out: ResponsesStreamEvent[]): void {
    this.closeText(out);
    const index = this.output.length;
    const item = reasoningItem(itemId('rs', this.frame.id, index), '', false, { type: 'redacted_thinking', data });
    this.output.push(item);
    const shown = itemForClient(item, this.withEncrypted);
    out.push(this.event('response.output_item.added', { output_index: index, item: shown }));
    out.push(this.event('response.output_item.done', { output_index: index, item: shown }));
  }

  private openText(kind: OpenText['kind'], out: ResponsesStreamEvent[]): void {
    this.closeText(out);
    const index = this.output.length;
    const id = itemId(kind === 'message' ? 'msg' : 'rs', this.frame.id, index);
    this.open = { kind, index, id, text: '' };
    const item: ResponseItem =
      kind === 'message'
        ? { type: 'message', id, status: 'in_progress', role: 'assistant', content: [] }
        : kind === 'summary'
          ? { type: 'reasoning', id, summary: [] }
          : { type: 'reasoning', id, summary: [], content: [] };
    this.output.push(item);
    out.push(this.event('response.output_item.added', { output_index: index, item }));
    out.push(this.event(PART_EVENTS[kind].added, { item_id: id, output_index: index, ...this.at(kind), part: this.part(kind, '') }));
  }

  private textDelta(kind: OpenText['kind'], delta: string, out: ResponsesStreamEvent[]): void {
    // A signed reasoning block is complete: reasoning after its signature is the next block (reasoning-blocks.ts).
    if (this.open?.kind !== kind || this.open.signature !== undefined) this.openText(kind, out);
    const open = this.open!;
    open.text += delta;
    const extra = kind === 'message' ? { logprobs: [] } : {};
    out.push(this.event(PART_EVENTS[kind].delta, { item_id: open.id, output_index: open.index, ...this.at(kind), delta, ...extra }));
  }

  /** Where a text part sits: `content_index` in a message or raw reasoning, `summary_index` in a summary. */
  private at(kind: OpenText['kind']): Record<string, number> {
    return kind === 'summary' ? { summary_index: 0 } : { content_index: 0 };
  }

  private part(kind: OpenText['kind'], text: string): Record<string, unknown> {
    if (kind === 'message') return { type: 'output_text', text, annotations: [], logprobs: [] };
    return { type: kind === 'summary' ? 'summary_text' : 'reasoning_text', text };
  }

  private closeText(out: ResponsesStreamEvent[]): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    const at = { item_id: open.id, output_index: open.index, ...this.at(open.kind) };
    const names = PART_EVENTS[open.kind];
    out.push(this.event(names.textDone, { ...at, text: open.text, ...(open.kind === 'message' ? { logprobs: [] } : {}) }));
    out.push(this.event(names.done, { ...at, part: this.part(open.kind, open.text) }));
    const item =
      open.kind === 'message'
        ? messageItem(open.id, open.text)
        : reasoningItem(
            open.id,
            open.text,
            open.kind === 'summary',
            open.signature === undefined ? undefined : { type: 'thinking', thinking: open.text, signature: open.signature },
          );
    this.output[open.index] = item;
    out.push(this.event('response.output_item.done', { output_index: open.index, item: itemForClient(item, this.withEncrypted) }));
  }

  private toolDelta(delta: ToolCallDelta, out: ResponsesStreamEvent[]): void {
    let call = this.calls.get(delta.index);
    if (!call) {
      this.closeText(out);
      const index = this.output.length;
      const id = itemId('fc', this.frame.id, index);
      call = { index, id, callId: delta.id ?? `call_${id}`, name: delta.function?.name ?? '', args: '' };
      this.calls.set(delta.index, call);
      const item = functionCallItem(id, call.callId, call.name, '', 'in_progress');
      this.output.push(item);
      out.push(this.event('response.output_item.added', { output_index: index, item }));
    } else if (delta.function?.name && !call.name) {
      call.name = delta.function.name;
    }
    const args = delta.function?.arguments;
    if (args) {
      call.args += args;
      out.push(this.event('response.function_call_arguments.delta', { item_id: call.id, output_index: call.index, delta: args }));
    }
  }

  private closeCall(call: OpenCall, out: ResponsesStreamEvent[]): void {
    out.push(this.event('response.function_call_arguments.done', { item_id: call.id, output_index: call.index, name: call.name, arguments: call.args }));
    const item = functionCallItem(call.id, call.callId, call.name, call.args);
    this.output[call.index] = item;
    out.push(this.event('response.output_item.done', { output_index: call.index, item }));
  }

  private event(type: string, fields: Record<string, unknown>): ResponsesStreamEvent {
    return { type, sequence_number: this.seq++, ...fields };
  }
}

/**
 * One event as SSE, with the `event:` line OpenAI sends.
 *
 * @example formatResponsesEvent({ type: 'response.created', sequence_number: 0, response }) // 'event: response.created\ndata: {…}\n\n'
 */
export function formatResponsesEvent(ev: ResponsesStreamEvent): string {
  return `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`;
}
