/**
 * Bedrock Converse response → OpenAI chat completion: content blocks to content and tool_calls, stopReason to
 * finish_reason, usage (with prompt-cache reads and writes) to the OpenAI usage contract.
 */
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../openai-types';
import { placedBlock, reasoningFields, type PlacedReasoningBlock } from '../anthropic/reasoning-blocks';
import { ownValue } from '../own-value';
import type { BedrockConverseResponse, BedrockUsage } from './wire-types';

const FINISH_REASON_BY_STOP_REASON: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  tool_use: 'tool_calls',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

/** @example toFinishReason('guardrail_intervened') // 'content_filter' */
export function toFinishReason(stopReason: string | undefined): FinishReason {
  if (!stopReason) return null;
  return ownValue(FINISH_REASON_BY_STOP_REASON, stopReason) ?? 'stop';
}

/**
 * Bedrock counts prompt-cache reads and writes apart from `inputTokens`; OpenAI's `prompt_tokens` includes both,
 * with the reads in `cached_tokens` and the writes in `cache_write_tokens`.
 *
 * @example toOpenAIUsage({ inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 100, cacheWriteInputTokens: 20 })
 * // { prompt_tokens: 130, completion_tokens: 5, total_tokens: 135, prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 20 } }
 */
export function toOpenAIUsage(usage: Partial<BedrockUsage>): Usage {
  const cacheRead = usage.cacheReadInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteInputTokens ?? 0;
  const prompt = (usage.inputTokens ?? 0) + cacheRead + cacheWrite;
  const completion = usage.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite },
  };
}

/**
 * Converse answers carry no id; one is made so clients that key on it have one.
 *
 * @example converseToCompletion(json, 'anthropic.claude-3-5-haiku-20241022-v1:0').choices[0].finish_reason // 'stop'
 */
export function converseToCompletion(res: BedrockConverseResponse, model: string, now: number = Date.now(), id = completionId(now)): ChatCompletion {
  const texts: string[] = [];
  const reasoning: PlacedReasoningBlock[] = [];
  let unsigned = '';
  const toolCalls: ToolCall[] = [];
  for (const block of res.output?.message?.content ?? []) {
    if (typeof block.text === 'string') texts.push(block.text);
    else if (block.reasoningContent) {
      // Claude's thinking as Bedrock carries it, in the gateway's one shape for it (anthropic/reasoning-blocks.ts).
      const { reasoningText, redactedContent } = block.reasoningContent;
      // Each keeps its place among the tool calls, where Claude wants it back.
      if (redactedContent) reasoning.push(placedBlock({ type: 'redacted_thinking', data: redactedContent }, toolCalls.length));
      else if (reasoningText?.signature)
        reasoning.push(placedBlock({ type: 'thinking', thinking: reasoningText.text, signature: reasoningText.signature }, toolCalls.length));
      else if (reasoningText) unsigned += reasoningText.text;
    } else if (block.toolUse) {
      toolCalls.push({
        id: block.toolUse.toolUseId,
        type: 'function',
        function: { name: block.toolUse.name, arguments: JSON.stringify(block.toolUse.input ?? {}) },
      });
    }
  }
  const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: texts.length ? texts.join('') : null };
  if (toolCalls.length) message.tool_calls = toolCalls;
  Object.assign(message, reasoningFields(reasoning, unsigned));
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(now / 1000),
    model,
    choices: [{ index: 0, message, finish_reason: toFinishReason(res.stopReason), logprobs: null }],
    usage: toOpenAIUsage(res.usage ?? {}),
  };
}

let sequence = 0;
/** @example completionId(Date.now()) // 'chatcmpl-bedrock-m3x9k2-1' */
export function completionId(now: number): string {
  sequence = (sequence + 1) % 1_000_000;
  return `chatcmpl-bedrock-${now.toString(36)}-${sequence}`;
}
