/**
 * The usage of a stream that ended before its final usage chunk (the client aborted, or the upstream cut it):
 * the provider still bills what it generated. What the provider already reported is kept as it came
 * (Anthropic's message_start input and cache counts, Gemini's running counts); what it never counted — the
 * output relayed so far, and for OpenAI-format streams the prompt too — is estimated with a real tokenizer
 * (gpt-tokenizer's o200k_base, the encoding of OpenAI's current models; for other families it is the nearest
 * public one, so the figure is an estimate and is marked as one).
 */
import { countTokens } from 'gpt-tokenizer/cjs/encoding/o200k_base';
import type { ChatRequest, Usage } from '../providers/openai-types';

declare module '../plugin-api' {
  interface RequestVariables {
    /**
     * True when the usage the request ends with was partly estimated: its stream ended (client abort, upstream
     * cut, or no usage from the provider) before the provider's final count. See docs/cost.md, "Estimated usage".
     */
    usageEstimated: boolean;
  }
}

const CHARS_PER_TOKEN = 4;
const TOKENS_PER_MESSAGE = 4;
const TOKENS_PER_REPLY_PRIMER = 3;
const TOKENS_PER_IMAGE = 85;
// Text such as "<|endoftext|>" in an answer is plain text: never refused, never read as a control token.
const PLAIN = { disallowedSpecial: new Set<string>() };

/**
 * Tokens of `text` by o200k_base.
 *
 * @example textTokens('Hello there!') // 3
 */
export function textTokens(text: string): number {
  return text === '' ? 0 : countTokens(text, PLAIN);
}

function contentTokens(content: unknown): number {
  if (typeof content === 'string') return textTokens(content);
  if (!Array.isArray(content)) return content == null ? 0 : textTokens(JSON.stringify(content));
  let tokens = 0;
  for (const part of content as unknown[]) {
    const p = part as { type?: unknown; text?: unknown } | null;
    if (p && p.type === 'text' && typeof p.text === 'string') tokens += textTokens(p.text);
    else if (p && p.type === 'image_url') tokens += TOKENS_PER_IMAGE;
    else tokens += textTokens(JSON.stringify(part) ?? '');
  }
  return tokens;
}

/**
 * Prompt tokens of a chat request by the tokenizer: every message's text, its tool calls, the tool
 * definitions, and OpenAI's per-message framing.
 *
 * @example promptTokensOf({ model: 'm', messages: [{ role: 'user', content: 'Hello there!' }] }) // 10
 */
export function promptTokensOf(body: ChatRequest): number {
  let tokens = TOKENS_PER_REPLY_PRIMER;
  const messages: unknown = body.messages;
  for (const message of Array.isArray(messages) ? (messages as ChatRequest['messages']) : []) {
    tokens += TOKENS_PER_MESSAGE + contentTokens(message?.content);
    if (message?.tool_calls) tokens += textTokens(JSON.stringify(message.tool_calls));
  }
  if (Array.isArray(body.tools) && body.tools.length) tokens += textTokens(JSON.stringify(body.tools));
  return tokens;
}

/** What a stream relayed to the client before it ended (see StreamAssembler.relayed). */
export interface RelayedOutput {
  /** Text the gateway kept: content, reasoning and tool-call names and arguments. */
  text: string;
  /** Characters relayed but not kept (past the assembler's cap): counted at four characters a token. */
  uncountedChars: number;
  /** The part of `text` that was reasoning, for completion_tokens_details. */
  reasoningText: string;
}

/**
 * Output tokens of what was relayed.
 *
 * @example relayedOutputTokens({ text: 'Hello there!', uncountedChars: 8, reasoningText: '' }) // 5
 */
export function relayedOutputTokens(relayed: RelayedOutput): number {
  return textTokens(relayed.text) + Math.ceil(relayed.uncountedChars / CHARS_PER_TOKEN);
}

/**
 * The usage a stream that ended early is billed with. `reported` is what the provider said before the end;
 * its prompt counts (and cache split) are used as they are, and its output count is raised to the estimate of
 * what was relayed (the provider counts output only at the end). Without any report the prompt is estimated
 * from the request.
 *
 * @example
 * unfinishedStreamUsage({ prompt_tokens: 3100, completion_tokens: 1, total_tokens: 3101 },
 *   { text: 'Hello there!', uncountedChars: 0, reasoningText: '' }, body)
 * // { prompt_tokens: 3100, completion_tokens: 3, total_tokens: 3103 }
 */
export function unfinishedStreamUsage(reported: Usage | undefined, relayed: RelayedOutput, body: ChatRequest): Usage {
  const output = Math.max(reported?.completion_tokens ?? 0, relayedOutputTokens(relayed));
  const base: Usage = reported ?? { prompt_tokens: promptTokensOf(body), completion_tokens: 0, total_tokens: 0 };
  const usage: Usage = { ...base, completion_tokens: output, total_tokens: base.prompt_tokens + output };
  const reasoning = Math.min(output, Math.max(reported?.completion_tokens_details?.reasoning_tokens ?? 0, textTokens(relayed.reasoningText)));
  if (reasoning > 0) usage.completion_tokens_details = { ...base.completion_tokens_details, reasoning_tokens: reasoning };
  return usage;
}
