/**
 * Anthropic message → OpenAI chat completion: content blocks to content and tool_calls, stop_reason to
 * finish_reason, usage (with prompt-cache tokens) to OpenAI usage.
 */
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../openai-types';
import type { AnthropicMessage, AnthropicStopReason, AnthropicUsage } from './wire-types';
import { ownValue } from '../own-value';

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

/**
 * Anthropic counts cached prompt tokens apart from `input_tokens`; OpenAI counts them inside `prompt_tokens`.
 *
 * @example toOpenAIUsage({ input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 })
 * // { prompt_tokens: 130, completion_tokens: 5, total_tokens: 135, prompt_tokens_details: { cached_tokens: 100 } }
 */
export function toOpenAIUsage(usage: Partial<AnthropicUsage>): Usage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const prompt = (usage.input_tokens ?? 0) + cacheRead + cacheWrite;
  const completion = usage.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
}

/**
 * @example anthropicMessageToCompletion(message).choices[0].message.tool_calls
 */
export function anthropicMessageToCompletion(msg: AnthropicMessage, now: number = Date.now()): ChatCompletion {
  const texts: string[] = [];
  const thoughts: string[] = [];
  const signatures: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of msg.content ?? []) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'thinking') {
      thoughts.push(block.thinking);
      if (block.signature) signatures.push(block.signature);
    } else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: texts.length ? texts.join('') : null };
  if (toolCalls.length) message.tool_calls = toolCalls;
  // DeepSeek's spelling for visible reasoning, which several OpenAI clients already display.
  if (thoughts.length) message.reasoning_content = thoughts.join('');
  // The signature proves the reasoning to Anthropic when a client sends it back with the next turn (request.ts).
  if (signatures.length) message.reasoning_signature = signatures[signatures.length - 1];
  return {
    id: msg.id,
    object: 'chat.completion',
    created: Math.floor(now / 1000),
    model: msg.model,
    choices: [{ index: 0, message, finish_reason: toFinishReason(msg.stop_reason), logprobs: null }],
    usage: toOpenAIUsage(msg.usage ?? {}),
  };
}
