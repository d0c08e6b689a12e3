/**
 * A cheap prompt-token estimate for admission control (rate limits are charged before the upstream reports the
 * real count, and corrected afterwards). About four characters per token, plus OpenAI's per-message framing.
 * Every estimate is a finite, non-negative integer whatever the body holds: a rate limit charged NaN or Infinity
 * would be switched off or jammed, so odd values count as their JSON text instead of breaking the arithmetic.
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

/** Any value as its JSON text; `undefined` (and anything JSON cannot write) is nothing. */
function jsonTokens(value: unknown): number {
  if (value === undefined) return 0;
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? 0 : textTokens(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function partTokens(part: unknown): number {
  if (!isRecord(part)) return jsonTokens(part);
  if (part.type === 'text' && typeof part.text === 'string') return textTokens(part.text);
  if (part.type === 'image_url') return TOKENS_PER_IMAGE;
  return jsonTokens(part);
}

function messageTokens(message: ChatMessage): number {
  let tokens = TOKENS_PER_MESSAGE;
  if (!isRecord(message)) return tokens + jsonTokens(message);
  const content: unknown = message.content;
  if (typeof content === 'string') tokens += textTokens(content);
  else if (Array.isArray(content)) for (const part of content) tokens += partTokens(part);
  else tokens += jsonTokens(content ?? undefined);
  tokens += jsonTokens(message.tool_calls);
  if (message.name) tokens += 1;
  return tokens;
}

/** A count the body asked for, if it is a usable one: a finite, non-negative integer. */
function countOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : fallback;
}

/** Sums stay exact integers far beyond any real request; the clamp only keeps a hostile one finite. */
function bounded(tokens: number): number {
  return Number.isFinite(tokens) ? Math.min(Math.max(0, Math.ceil(tokens)), Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER;
}

/**
 * Estimated prompt tokens of a chat request (messages and tool definitions).
 *
 * @example estimateChatPromptTokens({ model: 'chat', messages: [{ role: 'user', content: 'Hello there!' }] }) // 10
 */
export function estimateChatPromptTokens(body: ChatRequest): number {
  let tokens = TOKENS_PER_REPLY_PRIMER;
  const messages: unknown = body.messages;
  if (Array.isArray(messages)) for (const message of messages) tokens += messageTokens(message as ChatMessage);
  else tokens += jsonTokens(messages);
  if (Array.isArray(body.tools) && body.tools.length) tokens += jsonTokens(body.tools);
  return bounded(tokens);
}

function embeddingItemTokens(item: unknown): number {
  if (typeof item === 'string') return textTokens(item);
  if (typeof item === 'number') return 1;
  // A token array is one token per id; anything else (the schema refuses it) counts as its JSON text.
  if (Array.isArray(item) && item.every((t) => typeof t === 'number')) return item.length;
  return jsonTokens(item);
}

/**
 * Estimated input tokens of an embeddings request.
 *
 * @example estimateEmbeddingsTokens({ model: 'embed', input: ['abcd', 'efgh'] }) // 2
 */
export function estimateEmbeddingsTokens(body: EmbeddingsRequest): number {
  const input: unknown = body.input;
  if (typeof input === 'string') return bounded(textTokens(input));
  if (!Array.isArray(input)) return bounded(jsonTokens(input));
  let tokens = 0;
  for (const item of input) tokens += embeddingItemTokens(item);
  return bounded(tokens);
}

/**
 * Tokens a request may consume in total: the prompt estimate plus the completion budget it asked for
 * (`max_completion_tokens` or `max_tokens`, else `defaultCompletionTokens`) for each of its `n` choices.
 *
 * @example estimateRequestTokens({ model: 'chat', messages: [], max_tokens: 100 }, 256) // 103
 */
export function estimateRequestTokens(body: ChatRequest, defaultCompletionTokens: number): number {
  const fallback = countOr(defaultCompletionTokens, 0);
  const completion = countOr(body.max_completion_tokens ?? body.max_tokens, fallback);
  const choices = Math.max(1, countOr(body.n, 1));
  return bounded(estimateChatPromptTokens(body) + completion * choices);
}
