/**
 * The input-token estimate POST /v1/messages/count_tokens answers when no Anthropic backend can count exactly:
 * OpenAI's o200k_base tokenizer (gpt-tokenizer) over every text the model would read, plus Anthropic's framing.
 * Claude's own tokenizer is not public, so this is an estimate (marked as one), near enough to budget a prompt.
 */
import { countTokens } from 'gpt-tokenizer/cjs/encoding/o200k_base';
import type { AnthropicCountTokensRequest } from './anthropic-request';

/** Framing around each message (role markers), as chat formats add it. */
export const PER_MESSAGE_TOKENS = 4;
/** Framing of the whole prompt (the assistant turn's opening). */
export const PER_REQUEST_TOKENS = 3;
/** Per tool definition, on top of its JSON: the tool-use preamble the provider wraps around tool definitions. */
export const PER_TOOL_TOKENS = 8;
/** An image of unknown size: Anthropic counts about (width × height) / 750 tokens, ~1,600 for a large image. */
export const IMAGE_TOKENS = 1600;

// Text such as "<|endoftext|>" is plain text in a prompt: never refused, never read as a control token.
const PLAIN = { disallowedSpecial: new Set<string>() };

function tokens(text: string): number {
  return text === '' ? 0 : countTokens(text, PLAIN);
}

/** A field that should be text (validation checked it where it matters); anything else counts as nothing. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function blockTokens(block: unknown): number {
  if (!block || typeof block !== 'object') return 0;
  const b = block as Record<string, unknown>;
  switch (b.type) {
    case 'text':
      return tokens(textOf(b.text));
    case 'image':
    case 'document':
      return IMAGE_TOKENS;
    case 'tool_use':
      return tokens(textOf(b.name)) + tokens(JSON.stringify(b.input ?? {}));
    case 'tool_result':
      return contentTokens(b.content);
    case 'thinking':
      return tokens(textOf(b.thinking));
    default:
      // Any other block: what it says, as JSON (the model reads it in some form).
      return tokens(JSON.stringify(b));
  }
}

function contentTokens(content: unknown): number {
  if (typeof content === 'string') return tokens(content);
  if (!Array.isArray(content)) return 0;
  let n = 0;
  for (const block of content) n += blockTokens(block);
  return n;
}

/**
 * The estimated input tokens of a (validated) count_tokens request: system, messages (text, tool_use inputs,
 * tool_result contents, thinking), tool definitions, and the framing constants above.
 *
 * @example estimateAnthropicInputTokens({ model: 'claude', messages: [{ role: 'user', content: 'Hello, world' }] }) // 10
 */
export function estimateAnthropicInputTokens(req: AnthropicCountTokensRequest): number {
  let n = PER_REQUEST_TOKENS;
  if (req.system) n += PER_MESSAGE_TOKENS + contentTokens(req.system);
  for (const m of req.messages) n += PER_MESSAGE_TOKENS + contentTokens(m.content);
  for (const tool of req.tools ?? []) {
    const t = tool as { name?: unknown; description?: unknown; input_schema?: unknown };
    n += PER_TOOL_TOKENS + tokens(textOf(t.name)) + tokens(textOf(t.description));
    if (t.input_schema !== undefined) n += tokens(JSON.stringify(t.input_schema));
  }
  return n;
}
