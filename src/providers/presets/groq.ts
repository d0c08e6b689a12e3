/**
 * Groq: on streams it reports usage inside `x_groq.usage` of the last chunk rather than (or as well as) in a
 * separate `usage` chunk. The usage is lifted to `usage`, where the gateway's accounting and clients look.
 */
import type { ChatCompletionChunk, Usage } from '../openai-types';
import type { OpenAIQuirks } from './quirks';

/** @example groqQuirks.chunk!({ …, x_groq: { usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } } }, call).usage */
export const groqQuirks: OpenAIQuirks = {
  chunk(chunk: ChatCompletionChunk): ChatCompletionChunk {
    const usage = (chunk.x_groq as { usage?: Usage } | undefined)?.usage;
    if (!usage || typeof usage !== 'object' || chunk.usage) return chunk;
    return { ...chunk, usage };
  },
};
