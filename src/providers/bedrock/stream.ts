/**
 * ConverseStream events (decoded from the event stream by event-stream.ts) → OpenAI chat completion chunks.
 * Bedrock streams content blocks (text, toolUse with partial-JSON input, reasoning) by index; OpenAI streams
 * deltas of one message with tool calls numbered from 0. Usage arrives last, in the `metadata` event.
 */
import type { ChatCompletionChunk, ChunkChoice, FinishReason } from '../openai-types';
import type { StreamTranslator } from '../types';
import { UpstreamFailure, type SseEvent } from '../../upstream/http-spec';
import { parseBedrockStreamException } from './errors';
import { completionId, toFinishReason, toOpenAIUsage } from './response';
import type { BedrockStreamEvents } from './wire-types';

/**
 * One instance per stream.
 *
 * @example
 * const t = new BedrockStreamTranslator('Bedrock provider "aws"', 'anthropic.claude-3-5-haiku-20241022-v1:0');
 * for (const ev of decoder.push(bytes)) send(t.push(ev));
 */
export class BedrockStreamTranslator implements StreamTranslator {
  done = false;
  private readonly id: string;
  private readonly created: number;
  private roleSent = false;
  /** Converse content-block index → OpenAI tool_calls index. */
  private readonly toolIndexByBlock = new Map<number, number>();

  constructor(
    private readonly providerLabel: string,
    private readonly model: string,
    now: number = Date.now(),
  ) {
    this.created = Math.floor(now / 1000);
    this.id = completionId(now);
  }

  push(event: SseEvent): ChatCompletionChunk[] {
    let payload: unknown;
    try {
      payload = JSON.parse(event.data);
    } catch {
      throw new UpstreamFailure({
        status: 502,
        type: 'upstream_error',
        code: 'bad_upstream_stream',
        retryable: true,
        message: `${this.providerLabel} sent an unreadable stream event.`,
      });
    }
    switch (event.event) {
      case 'exception': {
        const type = (payload as { __type?: unknown }).__type;
        throw new UpstreamFailure(parseBedrockStreamException(typeof type === 'string' ? type : 'internalServerException', event.data, this.providerLabel));
      }
      case 'messageStart':
        // Nothing to send yet: the gateway commits to a target at its first chunk, and a throttling exception
        // right after messageStart can still fail over unseen.
        return [];
      case 'contentBlockStart':
        return this.blockStart(payload as BedrockStreamEvents['contentBlockStart']);
      case 'contentBlockDelta':
        return this.blockDelta(payload as BedrockStreamEvents['contentBlockDelta']);
      case 'messageStop':
        return [this.chunk({}, toFinishReason((payload as BedrockStreamEvents['messageStop']).stopReason) ?? 'stop')];
      case 'metadata': {
        this.done = true;
        const usage = (payload as BedrockStreamEvents['metadata']).usage;
        return usage ? [this.usageChunk(toOpenAIUsage(usage))] : [];
      }
      default:
        // contentBlockStop and event types added after this was written carry nothing for OpenAI.
        return [];
    }
  }

  private blockStart(ev: BedrockStreamEvents['contentBlockStart']): ChatCompletionChunk[] {
    const tool = ev.start?.toolUse;
    if (!tool) return [];
    const index = this.toolIndexByBlock.size;
    this.toolIndexByBlock.set(ev.contentBlockIndex, index);
    return [this.chunk({ tool_calls: [{ index, id: tool.toolUseId, type: 'function', function: { name: tool.name, arguments: '' } }] })];
  }

  private blockDelta(ev: BedrockStreamEvents['contentBlockDelta']): ChatCompletionChunk[] {
    const d = ev.delta ?? {};
    if (typeof d.text === 'string') return d.text ? [this.chunk({ content: d.text })] : [];
    if (d.toolUse) {
      const index = this.toolIndexByBlock.get(ev.contentBlockIndex);
      if (index === undefined || !d.toolUse.input) return [];
      return [this.chunk({ tool_calls: [{ index, function: { arguments: d.toolUse.input } }] })];
    }
    // Claude's thinking: its text, then its signature, which ends the block; or a redacted block whole (reasoning-blocks.ts).
    const r = d.reasoningContent;
    if (r?.text) return [this.chunk({ reasoning_content: r.text })];
    if (r?.signature) return [this.chunk({ reasoning_signature: r.signature })];
    if (r?.redactedContent) return [this.chunk({ reasoning_redacted: r.redactedContent })];
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
  private usageChunk(usage: ReturnType<typeof toOpenAIUsage>): ChatCompletionChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage };
  }
}
