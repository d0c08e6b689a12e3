/**
 * DeepSeek: reasoning text arrives in `reasoning_content` (on the message, and on stream deltas) and is relayed
 * as it came; that is the field OpenAI-ecosystem clients read. DeepSeek answers 400 when an assistant turn sent
 * back to it still carries its `reasoning_content`, so history is sent without it. Its cache counts
 * (`prompt_cache_hit_tokens` / `prompt_cache_miss_tokens`) are brought to the usage contract by the adapter's
 * usage normalisation, not here.
 */
import type { ChatMessage, ChatRequest } from '../openai-types';
import type { OpenAIQuirks } from './quirks';

function withoutReasoning(messages: ChatMessage[]): ChatMessage[] {
  if (!messages.some((m) => m.role === 'assistant' && m.reasoning_content !== undefined)) return messages;
  return messages.map((m) => {
    if (m.role !== 'assistant' || m.reasoning_content === undefined) return m;
    const { reasoning_content: _dropped, ...rest } = m;
    return rest as ChatMessage;
  });
}

/** @example deepseekQuirks.request!({ model: 'deepseek-reasoner', messages }, call) */
export const deepseekQuirks: OpenAIQuirks = {
  request(body: ChatRequest): ChatRequest {
    const messages = withoutReasoning(body.messages);
    return messages === body.messages ? body : { ...body, messages };
  },
};
