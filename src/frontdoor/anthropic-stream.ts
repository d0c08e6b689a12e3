/**
 * The Anthropic-compatible front door, streaming: OpenAI chunks (from any backend) → Anthropic SSE events
 * (message_start, content_block_start/delta/stop, message_delta, message_stop), tool use included.
 */
import type { GatewayError } from '../errors';
import type { ChatCompletionChunk, FinishReason, ToolCallDelta, Usage } from '../providers/openai-types';
import type { AnthropicStreamEvent } from '../providers/anthropic/wire-types';
import { toAnthropicErrorBody, toAnthropicUsage, toMessageId, toStopReason } from './anthropic-response';

/** One SSE event to write: `event: <event>\ndata: <JSON data>\n\n`. */
export interface AnthropicSseEvent {
  event: AnthropicStreamEvent['type'];
  data: AnthropicStreamEvent;
}

interface OpenBlock {
  index: number;
  kind: 'text' | 'tool_use' | 'thinking' | 'redacted_thinking';
  /** A thinking block whose signature came: it is complete. */
  signed?: boolean;
}

/**
 * One instance per response stream.
 *
 * @example
 * const toEvents = new ChunksToAnthropicEvents('fast');
 * for await (const chunk of chunks) write(toEvents.push(chunk));
 * write(toEvents.finish());
 */
export class ChunksToAnthropicEvents {
  private started = false;
  private messageId = '';
  private nextBlockIndex = 0;
  private open: OpenBlock | undefined;
  /** OpenAI tool_calls index → Anthropic content-block index. */
  private readonly blockByToolIndex = new Map<number, number>();
  private finishReason: FinishReason = null;
  private usage: Usage | null | undefined;

  constructor(
    private readonly model: string,
    private readonly fallbackId: string = `msg_${Date.now().toString(36)}`,
  ) {}

  push(chunk: ChatCompletionChunk): AnthropicSseEvent[] {
    const out = this.start(chunk.id);
    if (chunk.usage) this.usage = chunk.usage;
    // The front door asks for one choice; other indexes (n > 1) cannot be expressed in Anthropic's format.
    const choice = chunk.choices.find((c) => c.index === 0);
    if (!choice) return out;
    const { content, tool_calls: toolCalls, reasoning_content: reasoning, reasoning_signature: signature, reasoning_redacted: redacted } = choice.delta;
    // Reasoning comes first, as Anthropic's thinking blocks do; a signature ends its thinking block, so reasoning
    // after it is the next block (reasoning-blocks.ts), each going back to Claude with its own signature.
    if (typeof reasoning === 'string' && reasoning) {
      out.push(...this.openThinking());
      out.push(this.event({ type: 'content_block_delta', index: this.open!.index, delta: { type: 'thinking_delta', thinking: reasoning } }));
    }
    if (typeof signature === 'string' && signature) {
      out.push(...this.openThinking());
      this.open!.signed = true;
      out.push(this.event({ type: 'content_block_delta', index: this.open!.index, delta: { type: 'signature_delta', signature } }));
    }
    if (typeof redacted === 'string' && redacted) {
      out.push(...this.closeBlock(), this.openBlock('redacted_thinking', { type: 'redacted_thinking', data: redacted }), ...this.closeBlock());
    }
    if (typeof content === 'string' && content) {
      if (this.open?.kind !== 'text') out.push(...this.closeBlock(), this.openBlock('text', { type: 'text', text: '' }));
      out.push(this.event({ type: 'content_block_delta', index: this.open!.index, delta: { type: 'text_delta', text: content } }));
    }
    for (const delta of toolCalls ?? []) out.push(...this.toolDelta(delta));
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    return out;
  }

  /** Closes the message once the upstream stream has ended. */
  finish(): AnthropicSseEvent[] {
    const out = [...this.start(this.fallbackId), ...this.closeBlock()];
    const usage = toAnthropicUsage(this.usage);
    out.push(
      this.event({
        type: 'message_delta',
        delta: { stop_reason: toStopReason(this.finishReason), stop_sequence: null },
        // Input counts are only known at the end of an OpenAI stream, so they travel here, as in newer Anthropic streams.
        usage,
      }),
    );
    out.push(this.event({ type: 'message_stop' }));
    return out;
  }

  /** An error after the stream began: Anthropic sends it as an `error` event. */
  error(err: Pick<GatewayError, 'status' | 'message'>): AnthropicSseEvent {
    return this.event({ type: 'error', error: toAnthropicErrorBody(err).error });
  }

  private start(id: string): AnthropicSseEvent[] {
    if (this.started) return [];
    this.started = true;
    this.messageId = toMessageId(id || this.fallbackId);
    return [
      this.event({
        type: 'message_start',
        message: {
          id: this.messageId,
          type: 'message',
          role: 'assistant',
          model: this.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      }),
    ];
  }

  private toolDelta(delta: ToolCallDelta): AnthropicSseEvent[] {
    const out: AnthropicSseEvent[] = [];
    let index = this.blockByToolIndex.get(delta.index);
    if (index === undefined) {
      out.push(...this.closeBlock());
      const id = delta.id ?? `toolu_${this.messageId}_${delta.index}`;
      out.push(this.openBlock('tool_use', { type: 'tool_use', id, name: delta.function?.name ?? '', input: {} }));
      index = this.open!.index;
      this.blockByToolIndex.set(delta.index, index);
    }
    // Deltas for an earlier tool call after a later one began (rare) still go to that call's block index.
    const args = delta.function?.arguments;
    if (args) out.push(this.event({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args } }));
    return out;
  }

  /** The thinking block reasoning goes into: the open one until its signature came, else a new one. */
  private openThinking(): AnthropicSseEvent[] {
    if (this.open?.kind === 'thinking' && !this.open.signed) return [];
    return [...this.closeBlock(), this.openBlock('thinking', { type: 'thinking', thinking: '', signature: '' })];
  }

  private openBlock(kind: OpenBlock['kind'], block: Extract<AnthropicStreamEvent, { type: 'content_block_start' }>['content_block']): AnthropicSseEvent {
    this.open = { index: this.nextBlockIndex++, kind };
    return this.event({ type: 'content_block_start', index: this.open.index, content_block: block });
  }

  private closeBlock(): AnthropicSseEvent[] {
    if (!this.open) return [];
    const index = this.open.index;
    this.open = undefined;
    return [this.event({ type: 'content_block_stop', index })];
  }

  private event(data: AnthropicStreamEvent): AnthropicSseEvent {
    return { event: data.type, data };
  }
}

/**
 * @example formatSseEvent({ event: 'ping', data: { type: 'ping' } }) // 'event: ping\ndata: {"type":"ping"}\n\n'
 */
export function formatSseEvent(ev: AnthropicSseEvent): string {
  return `event: ${ev.event}\ndata: ${JSON.stringify(ev.data)}\n\n`;
}
