/**
 * Anthropic message → OpenAI chat completion: content blocks to content and tool_calls, stop_reason to
 * finish_reason, usage (with prompt-cache tokens) to OpenAI usage.
 */
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../openai-types';
import type { AnthropicMessage, AnthropicStopReason, AnthropicUsage } from './wire-types';
import { ownValue } from '../own-value';
import { placedBlock, reasoningFields, type PlacedReasoningBlock } from './reasoning-blocks';

const FINISH_REASON_BY_STOP_REASON: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** @example toFinishReason('tool_use') // 'tool_calls' */
export function toFinishReason(stopReason: AnthropicStopReason | string | undefined): FinishReason {
  if (!stopReason) return null;
  return ownValue(FINISH_REASON_BY_STOP_REASON, stopReason) ?? 'stop';
}

function tokens(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Anthropic counts cache reads and writes apart from `input_tokens`; the OpenAI contract counts them inside
 * `prompt_tokens`, with reads in `cached_tokens`, all writes in `cache_write_tokens` and the 1-hour ones in
 * `cache_write_1h_tokens` (from `cache_creation.ephemeral_1h_input_tokens`).
 *
 * @example toOpenAIUsage({ input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 })
 * // { prompt_tokens: 130, completion_tokens: 5, total_tokens: 135,
 * //   prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 20, cache_write_1h_tokens: 0 } }
 */
export function toOpenAIUsage(usage: Partial<AnthropicUsage>): Usage {
  const cacheRead = tokens(usage.cache_read_input_tokens);
  const byTtl = usage.cache_creation ?? undefined;
  const write5m = tokens(byTtl?.ephemeral_5m_input_tokens);
  const write1h = tokens(byTtl?.ephemeral_1h_input_tokens);
  // The total is Anthropic's own figure when it sends one; the split alone when only that came.
  const cacheWrite = usage.cache_creation_input_tokens == null ? write5m + write1h : tokens(usage.cache_creation_input_tokens);
  const prompt = tokens(usage.input_tokens) + cacheRead + cacheWrite;
  const completion = tokens(usage.output_tokens);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite, cache_write_1h_tokens: Math.min(write1h, cacheWrite) },
  };
}

/**
 * @example anthropicMessageToCompletion(message).choices[0].message.tool_calls
 */
export function anthropicMessageToCompletion(msg: AnthropicMessage, now: number = Date.now()): ChatCompletion {
  const texts: string[] = [];
  const reasoning: PlacedReasoningBlock[] = [];
  let unsigned = '';
  const toolCalls: ToolCall[] = [];
  for (const block of msg.content ?? []) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'thinking') {
      // Thinking between tool calls keeps its place (reasoning-blocks.ts): Claude wants it back there.
      if (block.signature) reasoning.push(placedBlock({ type: 'thinking', thinking: block.thinking, signature: block.signature }, toolCalls.length));
      else unsigned += block.thinking;
    } else if (block.type === 'redacted_thinking') reasoning.push(placedBlock({ type: 'redacted_thinking', data: block.data }, toolCalls.length));
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: texts.length ? texts.join('') : null };
  if (toolCalls.length) message.tool_calls = toolCalls;
  // reasoning_content is DeepSeek's spelling for visible reasoning, which several OpenAI clients display; the
  // signed blocks go back to Claude with the next turn (reasoning-blocks.ts).
  Object.assign(message, reasoningFields(reasoning, unsigned));
  return {
    id: msg.id,
    object: 'chat.completion',
    created: Math.floor(now / 1000),
    model: msg.model,
    choices: [{ index: 0, message, finish_reason: toFinishReason(msg.stop_reason), logprobs: null }],
    usage: toOpenAIUsage(msg.usage ?? {}),
  };
}
