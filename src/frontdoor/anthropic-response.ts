/**
 * The Anthropic-compatible front door, outbound (non-streaming) and errors: an OpenAI chat completion becomes an
 * Anthropic message, a GatewayError becomes Anthropic's error shape.
 */
import type { GatewayError } from '../errors';
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../providers/openai-types';
import type {
  AnthropicContentBlock,
  AnthropicErrorBody,
  AnthropicErrorType,
  AnthropicMessage,
  AnthropicStopReason,
  AnthropicUsage,
} from '../providers/anthropic/wire-types';
import { ownValue } from '../providers/own-value';
import { inAnswerOrder, reasoningBlocksOf } from '../providers/anthropic/reasoning-blocks';

const STOP_REASON_BY_FINISH: Record<string, AnthropicStopReason> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/** @example toStopReason('tool_calls') // 'tool_use' */
export function toStopReason(finish: FinishReason | undefined): AnthropicStopReason {
  return (finish && ownValue(STOP_REASON_BY_FINISH, finish)) || 'end_turn';
}

function tokens(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * The OpenAI usage contract back in Anthropic's own fields: `input_tokens` without cache reads and writes,
 * `cache_read_input_tokens`, `cache_creation_input_tokens` and its split by TTL in `cache_creation`, as
 * Anthropic reports them (whatever provider served the request). A `cost_usd` the cost-log plugin added to the
 * usage travels along.
 *
 * @example toAnthropicUsage({ prompt_tokens: 130, completion_tokens: 5, total_tokens: 135,
 *   prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 20, cache_write_1h_tokens: 20 } })
 * // { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20,
 * //   cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 20 } }
 */
export function toAnthropicUsage(usage: Usage | null | undefined): AnthropicUsage {
  const prompt = tokens(usage?.prompt_tokens);
  const read = Math.min(prompt, tokens(usage?.prompt_tokens_details?.cached_tokens));
  const write = Math.min(prompt - read, tokens(usage?.prompt_tokens_details?.cache_write_tokens));
  const write1h = Math.min(write, tokens(usage?.prompt_tokens_details?.cache_write_1h_tokens));
  const out: AnthropicUsage = {
    input_tokens: prompt - read - write,
    output_tokens: tokens(usage?.completion_tokens),
    cache_read_input_tokens: read,
    cache_creation_input_tokens: write,
    cache_creation: { ephemeral_5m_input_tokens: write - write1h, ephemeral_1h_input_tokens: write1h },
  };
  if (typeof usage?.cost_usd === 'number') out.cost_usd = usage.cost_usd;
  return out;
}

/**
 * Tool arguments arrive as a JSON string; Anthropic clients expect an object (malformed JSON becomes {}).
 *
 * @example toolInput('{"city":"Paris"}') // { city: 'Paris' }
 */
export function toolInput(args: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(args || '{}');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Anthropic message ids start with "msg_"; some clients log or check that.
 *
 * @example toMessageId('chatcmpl-abc') // 'msg_abc'
 */
export function toMessageId(id: string): string {
  return id.startsWith('msg_') ? id : `msg_${id.replace(/^chatcmpl-/, '')}`;
}

/**
 * @param model the model the client asked for (its alias), which is what Anthropic echoes back.
 * @example completionToAnthropicMessage(completion, 'fast').content // [{ type: 'text', text: 'Hello' }]
 */
export function completionToAnthropicMessage(completion: ChatCompletion, model: string): AnthropicMessage {
  const choice = completion.choices[0];
  const content: AnthropicContentBlock[] = [];
  const text = choice?.message.content;
  const message = choice?.message;
  const signed = message ? reasoningBlocksOf(message) : [];
  const reasoning = message?.reasoning_content;
  // Claude's blocks as they came, each with its signature and in its place among the tool calls; another
  // provider's reasoning as one unsigned block.
  if (!signed.length && typeof reasoning === 'string' && reasoning) content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  const answer: AnthropicContentBlock[] = typeof text === 'string' && text ? [{ type: 'text', text }] : [];
  const toolUses = ((choice?.message.tool_calls ?? []) as ToolCall[]).map((call): AnthropicContentBlock => ({
    type: 'tool_use',
    id: call.id,
    name: call.function.name,
    input: toolInput(call.function.arguments),
  }));
  content.push(...inAnswerOrder<AnthropicContentBlock>(signed, answer, toolUses, (b) => b));
  // Many Anthropic clients read content[0].text without checking; never hand them an empty array.
  if (content.length === 0) content.push({ type: 'text', text: '' });
  return {
    id: toMessageId(completion.id),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: toStopReason(choice?.finish_reason),
    stop_sequence: null,
    usage: toAnthropicUsage(completion.usage),
  };
}

/**
 * @example anthropicErrorType(429) // 'rate_limit_error'
 */
export function anthropicErrorType(status: number): AnthropicErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 503 || status === 529) return 'overloaded_error';
  if (status === 504) return 'timeout_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/**
 * The body an Anthropic client expects for an error. The HTTP status stays the gateway's.
 *
 * @example res.status(e.status).json(toAnthropicErrorBody(e))
 */
export function toAnthropicErrorBody(err: Pick<GatewayError, 'status' | 'message'>): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(err.status), message: err.message } };
}
