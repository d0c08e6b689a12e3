/**
 * Anthropic streaming events → OpenAI chat completion chunks. Anthropic streams content blocks (text,
 * tool_use with input_json_delta pieces, thinking); OpenAI streams deltas of one message with indexed tool calls.
 */
import type { ChatCompletionChunk, ChunkChoice, FinishReason, Usage } from '../openai-types';
import type { StreamTranslator } from '../types';
import type { SseEvent } from '../../upstream/http-spec';
import { UpstreamFailure } from '../../upstream/http-spec';
import { parseAnthropicStreamError } from './errors';
import { toFinishReason, toOpenAIUsage } from './response';
import type { AnthropicStreamEvent, AnthropicUsage } from './wire-types';

/**
 * One instance per stream.
 *
 * @example
 * const t = new AnthropicStreamTranslator('Anthropic');
 * for (const ev of sseEvents) send(t.push(ev));
 */
export class AnthropicStreamTranslator implements StreamTranslator {
  done = false;
  private id = '';
  private model = '';
  private readonly created: number;
  private usage: Partial<AnthropicUsage> = {};
  private usageReported = false;
  private roleSent = false;
  /** Anthropic content-block index → OpenAI tool_calls index (tool calls are numbered from 0 on their own). */
  private readonly toolIndexByBlock = new Map<number, number>();

  constructor(
    private readonly providerLabel: string,
    now: number = Date.now(),
  ) {
    this.created = Math.floor(now / 1000);
  }

  push(event: SseEvent): ChatCompletionChunk[] {
    let parsed: AnthropicStreamEvent;
    try {
      parsed = JSON.parse(event.data) as AnthropicStreamEvent;
    } catch {
      throw new UpstreamFailure({
        status: 502,
        type: 'upstream_error',
        code: 'bad_upstream_stream',
        retryable: true,
        message: `${this.providerLabel} sent an unreadable stream event.`,
      });
    }
    switch (parsed.type) {
      case 'message_start':
        this.id = parsed.message.id;
        this.model = parsed.message.model;
        this.usage = { ...parsed.message.usage };
        this.usageReported = true;
        // Nothing to send yet: the gateway commits to a target at its first chunk, and Anthropic's overloaded
        // errors often arrive right after message_start, when failing over is still invisible to the client.
        return [];
      case 'content_block_start':
        return this.blockStart(parsed);
      case 'content_block_delta':
        return this.blockDelta(parsed);
      case 'message_delta':
        // Newer API versions repeat the (final) input and cache counts here; take whatever is present.
        this.usage = { ...this.usage, ...definedOnly(parsed.usage) };
        return parsed.delta.stop_reason ? [this.chunk({}, toFinishReason(parsed.delta.stop_reason))] : [];
      case 'message_stop':
        this.done = true;
        return [this.usageChunk(toOpenAIUsage(this.usage))];
      case 'error':
        throw new UpstreamFailure(parseAnthropicStreamError(parsed.error, this.providerLabel));
      default:
        // ping, content_block_stop and event types added after this was written carry nothing for OpenAI.
        return [];
    }
  }

  /** message_start's input and cache counts (and message_delta's, once it came), as OpenAI usage. */
  usageSoFar(): Usage | undefined {
    return this.usageReported ? toOpenAIUsage(this.usage) : undefined;
  }

  private blockStart(ev: Extract<AnthropicStreamEvent, { type: 'content_block_start' }>): ChatCompletionChunk[] {
    const block = ev.content_block;
    if (block.type === 'tool_use') {
      const index = this.toolIndexByBlock.size;
      this.toolIndexByBlock.set(ev.index, index);
      return [this.chunk({ tool_calls: [{ index, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] })];
    }
    if (block.type === 'text' && block.text) return [this.chunk({ content: block.text })];
    // Opaque (Anthropic flagged the reasoning): it goes back to Claude whole, never shown (reasoning-blocks.ts).
    if (block.type === 'redacted_thinking' && block.data) return [this.chunk({ reasoning_redacted: block.data })];
    return [];
  }

  private blockDelta(ev: Extract<AnthropicStreamEvent, { type: 'content_block_delta' }>): ChatCompletionChunk[] {
    const d = ev.delta;
    if (d.type === 'text_delta') return d.text ? [this.chunk({ content: d.text })] : [];
    if (d.type === 'thinking_delta') return d.thinking ? [this.chunk({ reasoning_content: d.thinking })] : [];
    if (d.type === 'signature_delta') return d.signature ? [this.chunk({ reasoning_signature: d.signature })] : [];
    if (d.type === 'input_json_delta') {
      const index = this.toolIndexByBlock.get(ev.index);
      if (index === undefined || !d.partial_json) return [];
      return [this.chunk({ tool_calls: [{ index, function: { arguments: d.partial_json } }] })];
    }
    return [];
  }

  private chunk(delta: ChunkChoice['delta'], finishReason: FinishReason = null): ChatCompletionChunk {
    if (!this.roleSent) {
      this.roleSent = true;
      delta = { role: 'assistant', ...delta };
    }
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    };
  }

  /** OpenAI's final usage chunk has no choices (what `stream_options.include_usage` produces). */
  private usageChunk(usage: Usage): ChatCompletionChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage };
  }
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}
