/**
 * The input tokens of a Responses API request (POST /v1/responses/input_tokens): OpenAI's o200k_base tokenizer
 * (gpt-tokenizer, the encoding of OpenAI's current models) over every text the model would read, plus the
 * framing chat formats add. Exact in the text for OpenAI models, an estimate for the framing and for other
 * providers' tokenizers; images and files count a fixed amount (their size is not known without decoding them).
 */
import { countTokens } from 'gpt-tokenizer/cjs/encoding/o200k_base';
import { PER_MESSAGE_TOKENS, PER_REQUEST_TOKENS, PER_TOOL_TOKENS } from './anthropic-token-estimate';

/** An image of unknown size: OpenAI counts 85 tokens per image plus 170 per 512-px tile; 765 is a 1024×1024 image at high detail. */
export const RESPONSES_IMAGE_TOKENS = 765;
/** A file of unknown content (its text is extracted upstream). */
export const RESPONSES_FILE_TOKENS = 1000;

// Text such as "<|endoftext|>" is plain text in a prompt: never refused, never read as a control token.
const PLAIN = { disallowedSpecial: new Set<string>() };

function tokens(text: unknown): number {
  return typeof text === 'string' && text !== '' ? countTokens(text, PLAIN) : 0;
}

function json(value: unknown): number {
  return value === undefined ? 0 : tokens(JSON.stringify(value));
}

function partTokens(part: unknown): number {
  if (typeof part === 'string') return tokens(part);
  if (!part || typeof part !== 'object') return 0;
  const p = part as Record<string, unknown>;
  switch (p.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
    case 'summary_text':
    case 'reasoning_text':
      return tokens(p.text);
    case 'refusal':
      return tokens(p.refusal);
    case 'input_image':
      return RESPONSES_IMAGE_TOKENS;
    case 'input_file':
      return RESPONSES_FILE_TOKENS;
    default:
      return json(p);
  }
}

function contentTokens(content: unknown): number {
  if (typeof content === 'string') return tokens(content);
  if (!Array.isArray(content)) return 0;
  let n = 0;
  for (const part of content) n += partTokens(part);
  return n;
}

/** One input item (or output item of an earlier turn). */
function itemTokens(item: unknown): number {
  if (typeof item === 'string') return PER_MESSAGE_TOKENS + tokens(item);
  if (!item || typeof item !== 'object') return 0;
  const i = item as Record<string, unknown>;
  switch (i.type ?? (i.role !== undefined ? 'message' : undefined)) {
    case 'message':
      return PER_MESSAGE_TOKENS + contentTokens(i.content);
    case 'function_call':
      return PER_MESSAGE_TOKENS + tokens(i.name) + tokens(i.arguments);
    case 'function_call_output':
      return PER_MESSAGE_TOKENS + contentTokens(i.output);
    case 'reasoning':
      return contentTokens(i.summary) + contentTokens(i.content);
    case 'item_reference':
      return 0;
    default:
      return PER_MESSAGE_TOKENS + json(i);
  }
}

/**
 * The estimated input tokens of `body` (a Responses request), with `earlier` the items of the turns before it
 * (the conversation behind `previous_response_id`), counted as the model reads them.
 *
 * @example estimateResponsesInputTokens({ input: 'Hello, world' }) // 10
 */
export function estimateResponsesInputTokens(body: Readonly<Record<string, unknown>>, earlier: readonly unknown[] = []): number {
  let n = PER_REQUEST_TOKENS;
  if (typeof body.instructions === 'string') n += PER_MESSAGE_TOKENS + tokens(body.instructions);
  for (const item of earlier) n += itemTokens(item);
  if (typeof body.input === 'string') n += PER_MESSAGE_TOKENS + tokens(body.input);
  else if (Array.isArray(body.input)) for (const item of body.input) n += itemTokens(item);
  if (Array.isArray(body.tools)) {
    for (const tool of body.tools) {
      if (!tool || typeof tool !== 'object') continue;
      const t = tool as Record<string, unknown>;
      n += PER_TOOL_TOKENS + tokens(t.name) + tokens(t.description) + json(t.parameters);
    }
  }
  const format = (body.text as { format?: { type?: unknown; schema?: unknown } } | undefined)?.format;
  if (format?.type === 'json_schema') n += json(format.schema);
  return n;
}
