/**
 * A cheap prompt-token estimate for admission control (rate limits are charged before the upstream reports the
 * real count, and corrected afterwards). About four characters per token, plus OpenAI's per-message framing.
 */
import type { ChatMessage, ChatRequest, EmbeddingsRequest } from '../providers/openai-types';

const CHARS_PER_TOKEN = 4;
const TOKENS_PER_MESSAGE = 4;
const TOKENS_PER_REPLY_PRIMER = 3;
// An image costs at least OpenAI's "low detail" price; the estimate need not be precise, only not zero.
const TOKENS_PER_IMAGE = 85;

function textTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

function messageTokens(message: ChatMessage): number {
  let tokens = TOKENS_PER_MESSAGE;
  const content = message.content;
  if (typeof content === 'string') tokens += textTokens(content);
  else if (Array.isArray(content)) {
    for (const part of content) {
      if (part.type === 'text' && typeof part.text === 'string') tokens += textTokens(part.text);
      else if (part.type === 'image_url') tokens += TOKENS_PER_IMAGE;
      else tokens += textTokens(JSON.stringify(part));
    }
  }
  if (message.tool_calls) tokens += textTokens(JSON.stringify(message.tool_calls));
  if (message.name) tokens += 1;
  return tokens;
}

/**
 * Estimated prompt tokens of a chat request (messages and tool definitions).
 *
 * @example estimateChatPromptTokens({ model: 'chat', messages: [{ role: 'user', content: 'Hello there!' }] }) // 10
 */
export function estimateChatPromptTokens(body: ChatRequest): number {
  let tokens = TOKENS_PER_REPLY_PRIMER;
  for (const message of body.messages ?? []) tokens += messageTokens(message);
  if (body.tools?.length) tokens += textTokens(JSON.stringify(body.tools));
  return tokens;
}

/**
 * Estimated input tokens of an embeddings request.
 *
 * @example estimateEmbeddingsTokens({ model: 'embed', input: ['abcd', 'efgh'] }) // 2
 */
export function estimateEmbeddingsTokens(body: EmbeddingsRequest): number {
  const input = body.input;
  if (typeof input === 'string') return textTokens(input);
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') tokens += textTokens(item);
    else if (typeof item === 'number') tokens += 1;
    else tokens += item.length;
  }
  return tokens;
}

/**
 * Tokens a request may consume in total: the prompt estimate plus the completion budget it asked for
 * (`max_completion_tokens` or `max_tokens`, else `defaultCompletionTokens`).
 *
 * @example estimateRequestTokens({ model: 'chat', messages: [], max_tokens: 100 }, 256) // 103
 */
export function estimateRequestTokens(body: ChatRequest, defaultCompletionTokens: number): number {
  const completion = body.max_completion_tokens ?? body.max_tokens ?? defaultCompletionTokens;
  return estimateChatPromptTokens(body) + Math.max(0, completion);
}
