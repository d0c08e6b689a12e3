/**
 * OpenAI chat request → Anthropic Messages request. Anthropic rejects fields it does not know, so unlike the
 * OpenAI pass-through this builds the body from a declarative map and forwards nothing else.
 */
import { parseBase64DataUrl } from '../data-url';
import { portableToolCallId } from '../foreign-tool-call-ids';
import { ownValue } from '../own-value';
import { inAnswerOrder, reasoningBlocksOf } from './reasoning-blocks';
import { untranslatableRequest } from '../upstream-error-info';
import type { ChatContentPart, ChatMessage, ChatRequest, ToolCall, ToolDefinition } from '../openai-types';
import type {
  AnthropicContentBlock,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicMessageParam,
  AnthropicMessagesRequest,
  AnthropicTextBlock,
  AnthropicTool,
  AnthropicToolChoice,
} from './wire-types';

/** Output limits of known model families (prefix match, first hit wins), used when the client sent no max_tokens. */
const MAX_OUTPUT_TOKENS_BY_MODEL_PREFIX: [prefix: string, maxTokens: number][] = [
  ['claude-opus-4-5', 64000],
  ['claude-opus-4', 32000],
  ['claude-sonnet-4', 64000],
  ['claude-haiku-4', 64000],
  ['claude-3-7-sonnet', 64000],
  ['claude-3-5-sonnet', 8192],
  ['claude-3-5-haiku', 8192],
  ['claude-3-opus', 4096],
  ['claude-3-haiku', 4096],
];

/** Used for models not in the table above, unless the provider sets `max_tokens_default`. */
export const FALLBACK_MAX_TOKENS = 4096;

/**
 * @example defaultMaxTokens('claude-sonnet-4-5-20250929', {}) // 64000
 */
export function defaultMaxTokens(model: string, options: Record<string, unknown>): number {
  if (typeof options.max_tokens_default === 'number') return options.max_tokens_default;
  const hit = MAX_OUTPUT_TOKENS_BY_MODEL_PREFIX.find(([prefix]) => model.startsWith(prefix));
  return hit ? hit[1] : FALLBACK_MAX_TOKENS;
}

type ParamWriter = (value: unknown, out: AnthropicMessagesRequest) => void;

/**
 * OpenAI request field → how it lands in the Anthropic body. Fields not listed here (and not handled as
 * messages, tools or max_tokens below) are not sent: Anthropic answers 400 to unknown fields.
 */
const PARAMETER_MAP: Record<string, ParamWriter> = {
  // OpenAI allows 0..2, Anthropic 0..1; clamping keeps "switch providers without rewriting" true.
  temperature: (v, out) => {
    if (typeof v === 'number') out.temperature = Math.min(1, Math.max(0, v));
  },
  top_p: (v, out) => {
    if (typeof v === 'number') out.top_p = v;
  },
  stop: (v, out) => {
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
    if (list.length) out.stop_sequences = list;
  },
  user: (v, out) => {
    if (typeof v === 'string') out.metadata = { ...out.metadata, user_id: v };
  },
  stream: (v, out) => {
    if (v === true) out.stream = true;
  },
  // Anthropic-native fields a client may send on purpose when it knows the backend is Claude.
  top_k: (v, out) => {
    if (typeof v === 'number') out.top_k = v;
  },
  thinking: (v, out) => {
    if (v && typeof v === 'object') out.thinking = v;
  },
  output_config: (v, out) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) out.output_config = { ...(v as Record<string, unknown>), ...(out.output_config as object) };
  },
  // OpenAI's metadata is a free map of tags; Anthropic's takes only `user_id` (anything else is a 400), and
  // `user` already wins when both are sent.
  metadata: (v, out) => {
    const userId = (v as { user_id?: unknown }).user_id;
    if (typeof userId === 'string' && out.metadata?.user_id === undefined) out.metadata = { user_id: userId };
  },
  // Anthropic's tiers are "auto" and "standard_only"; OpenAI's (default, flex, priority, scale) have no equivalent.
  service_tier: (v, out) => {
    if (v === 'auto' || v === 'standard_only') out.service_tier = v;
  },
  response_format: (v, out) => {
    const format = v as ChatRequest['response_format'];
    if (format?.type === 'json_schema' && format.json_schema?.schema) {
      // Anthropic's structured outputs (GA): the answer's text is JSON that follows the schema.
      out.output_config = { ...(out.output_config as object), format: { type: 'json_schema', schema: toAnthropicOutputSchema(format.json_schema.schema) } };
    }
  },
};

/**
 * Anthropic's structured outputs want every object closed (`additionalProperties: false`), which OpenAI's strict
 * mode also requires but its non-strict json_schema does not: an object schema that leaves it open is closed.
 * Walks schema positions only (a property may be named "items").
 *
 * @example toAnthropicOutputSchema({ type: 'object', properties: { a: { type: 'object' } } })
 * // { type: 'object', properties: { a: { type: 'object', additionalProperties: false } }, additionalProperties: false }
 */
export function toAnthropicOutputSchema(schema: Record<string, unknown>, depth = 0): Record<string, unknown> {
  if (depth > 64) return schema;
  const walk = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? toAnthropicOutputSchema(v as Record<string, unknown>, depth + 1) : v);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '__proto__') continue;
    if ((key === 'properties' || key === '$defs' || key === 'definitions') && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, s]) => [name, walk(s)]));
    } else if (key === 'items') {
      out.items = walk(value);
    } else if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value)) {
      out[key] = value.map(walk);
    } else {
      out[key] = value;
    }
  }
  const isObject = out.type === 'object' || (Array.isArray(out.type) && out.type.includes('object'));
  if (isObject && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/**
 * OpenAI's `reasoning_effort` as an Anthropic extended-thinking budget (tokens). OpenAI counts reasoning inside
 * the output limit, so the budget is cut to fit under max_tokens; below Anthropic's minimum of 1,024 there is
 * no room to think and none is asked for.
 */
export const THINKING_BUDGET_BY_EFFORT: Record<string, number> = { minimal: 1024, low: 2048, medium: 8192, high: 16384, xhigh: 32768 };
const MIN_THINKING_BUDGET = 1024;

/** The words put before the conversation when a client asks for a JSON object without a schema (Anthropic has no JSON mode). */
export const JSON_OBJECT_INSTRUCTION = 'Answer with one valid JSON object and nothing else: no prose, no code fences.';

/**
 * @example thinkingFor('medium', 64000) // { type: 'enabled', budget_tokens: 8192 }
 * @example thinkingFor('none', 64000) // undefined
 */
export function thinkingFor(effort: unknown, maxTokens: number): { type: 'enabled'; budget_tokens: number } | undefined {
  const wanted = typeof effort === 'string' ? ownValue(THINKING_BUDGET_BY_EFFORT, effort) : undefined;
  if (wanted === undefined) return undefined;
  const budget = Math.min(wanted, maxTokens - 1);
  return budget < MIN_THINKING_BUDGET ? undefined : { type: 'enabled', budget_tokens: budget };
}

/**
 * True when the conversation ends with tool results whose assistant turn has no signed thinking block (its tool
 * calls came from another provider, or its reasoning was not sent back). With thinking on, Anthropic refuses
 * such a request, so reasoning_effort asks for no thinking on it: the tool loop goes on without.
 *
 * @example toolTurnWithoutThinking([user, { role: 'assistant', content: [toolUse] }, { role: 'user', content: [toolResult] }]) // true
 */
export function toolTurnWithoutThinking(messages: AnthropicMessagesRequest['messages']): boolean {
  const last = messages.at(-1);
  const before = messages.at(-2);
  if (!last || !Array.isArray(last.content) || !last.content.some((b) => b.type === 'tool_result')) return false;
  if (before?.role !== 'assistant' || !Array.isArray(before.content)) return false;
  const first = before.content[0]?.type;
  return first !== 'thinking' && first !== 'redacted_thinking';
}

/**
 * Thinking changes what else Anthropic takes: no temperature or top_k, top_p only from 0.95. The sampling
 * fields are left out rather than the request refused, as OpenAI's reasoning models ignore them too.
 */
function fitSamplingToThinking(out: AnthropicMessagesRequest): void {
  const thinking = out.thinking as { type?: unknown } | undefined;
  if (!thinking || thinking.type !== 'enabled') return;
  delete out.temperature;
  delete out.top_k;
  if (out.top_p !== undefined && out.top_p < 0.95) delete out.top_p;
}

/**
 * @example
 * toAnthropicRequest({ model: 'claude-sonnet-4-5', messages: [{ role: 'system', content: 'Be brief' },
 *   { role: 'user', content: 'Hi' }] }, { dropParams: [], options: {} })
 * // { model, max_tokens: 64000, system: [{ type: 'text', text: 'Be brief' }], messages: [{ role: 'user', ... }] }
 */
export function toAnthropicRequest(body: ChatRequest, provider: { dropParams: string[]; options: Record<string, unknown> }): AnthropicMessagesRequest {
  if (typeof body.n === 'number' && body.n > 1) {
    throw untranslatableRequest('Anthropic models return one choice per request; n > 1 is not supported.');
  }
  const dropped = new Set(provider.dropParams);
  const { system, messages } = toAnthropicMessages(body.messages);
  const requested = body.max_completion_tokens ?? body.max_tokens;
  const out: AnthropicMessagesRequest = {
    model: body.model,
    max_tokens: typeof requested === 'number' ? requested : defaultMaxTokens(body.model, provider.options),
    messages,
  };
  if (system.length) out.system = system;
  for (const [field, write] of Object.entries(PARAMETER_MAP)) {
    if (!dropped.has(field) && body[field] !== undefined && body[field] !== null) write(body[field], out);
  }
  if (out.thinking === undefined && !dropped.has('reasoning_effort') && !toolTurnWithoutThinking(messages)) {
    const thinking = thinkingFor(body.reasoning_effort, out.max_tokens);
    if (thinking) out.thinking = thinking;
  }
  fitSamplingToThinking(out);
  if (body.response_format?.type === 'json_object' && !dropped.has('response_format')) {
    out.system = [...((out.system as AnthropicTextBlock[] | undefined) ?? []), { type: 'text', text: JSON_OBJECT_INSTRUCTION }];
  }
  if (body.tools?.length && !dropped.has('tools')) {
    out.tools = body.tools.map(toAnthropicTool);
    const choice = toAnthropicToolChoice(body.tool_choice, body.parallel_tool_calls === false);
    if (choice) out.tool_choice = choice;
  }
  return out;
}

function toAnthropicTool(tool: ToolDefinition): AnthropicTool {
  const out: AnthropicTool = {
    name: tool.function.name,
    // Anthropic requires an object schema even for tools without parameters.
    input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
  };
  if (tool.function.description) out.description = tool.function.description;
  return out;
}

function toAnthropicToolChoice(choice: ChatRequest['tool_choice'], noParallel: boolean): AnthropicToolChoice | undefined {
  const parallel = noParallel ? { disable_parallel_tool_use: true } : {};
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...parallel };
  if (choice && typeof choice === 'object') return { type: 'tool', name: choice.function.name, ...parallel };
  return noParallel || choice === 'auto' ? { type: 'auto', ...parallel } : undefined;
}

/**
 * Lifts system and developer messages to `system`, turns tool results into user turns, and merges consecutive
 * same-role turns (Anthropic wants alternating roles and all tool results of a turn in one user message).
 *
 * @example toAnthropicMessages([{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'Hi' }])
 * // { system: [{ type: 'text', text: 'Be brief' }], messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] }
 */
export function toAnthropicMessages(messages: ChatMessage[]): { system: AnthropicTextBlock[]; messages: AnthropicMessageParam[] } {
  const system: AnthropicTextBlock[] = [];
  const out: { role: 'user' | 'assistant'; content: AnthropicContentBlock[] }[] = [];
  const append = (role: 'user' | 'assistant', blocks: AnthropicContentBlock[]) => {
    if (blocks.length === 0) return;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: [...blocks] });
  };
  for (const msg of messages) {
    switch (msg.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(msg.content));
        break;
      case 'user':
        append('user', contentBlocks(msg.content));
        break;
      case 'assistant':
        // Thinking between tool calls goes back where Claude put it (before_tool_call, reasoning-blocks.ts).
        append(
          'assistant',
          inAnswerOrder<AnthropicContentBlock>(reasoningBlocksOf(msg), textBlocks(msg.content), (msg.tool_calls ?? []).map(toToolUseBlock), (b) => b),
        );
        break;
      case 'tool':
        append('user', [toToolResultBlock(msg)]);
        break;
      default:
        throw untranslatableRequest(`Messages with role "${msg.role}" cannot be sent to Anthropic; use "tool" messages for tool results.`);
    }
  }
  return { system, messages: out };
}

/**
 * The assistant's earlier reasoning, sent back as Anthropic wants it (with thinking on, the last assistant turn
 * must start with its signed thinking blocks): every signed or redacted block, in order, each as Claude made it.
 * Only signed reasoning goes back: Anthropic refuses a thinking block without its signature, and reasoning text
 * from another provider has none.
 *
 * @example thinkingBlocks({ role: 'assistant', reasoning_content: 'Let me see', reasoning_signature: 'EqQB…' })
 * // [{ type: 'thinking', thinking: 'Let me see', signature: 'EqQB…' }]
 */
export function thinkingBlocks(msg: ChatMessage): AnthropicContentBlock[] {
  return inAnswerOrder<AnthropicContentBlock>(reasoningBlocksOf(msg), [], [], (b) => b);
}

function withCacheControl<T extends AnthropicContentBlock>(block: T, part: ChatContentPart): T {
  // Anthropic prompt caching: a client may mark a content part with cache_control, as on Anthropic's own API.
  const cc = (part as { cache_control?: unknown }).cache_control;
  return cc && typeof cc === 'object' ? { ...block, cache_control: cc } : block;
}

function textBlocks(content: ChatMessage['content']): AnthropicTextBlock[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) return [];
  const out: AnthropicTextBlock[] = [];
  for (const part of content) {
    // Anthropic rejects empty text blocks.
    if (part.type === 'text' && typeof part.text === 'string' && part.text) out.push(withCacheControl({ type: 'text', text: part.text }, part));
  }
  return out;
}

function contentBlocks(content: ChatMessage['content']): AnthropicContentBlock[] {
  if (!Array.isArray(content)) return textBlocks(content);
  const out: AnthropicContentBlock[] = [];
  for (const part of content) {
    if (part.type === 'text') out.push(...textBlocks([part]));
    else if (part.type === 'image_url') out.push(withCacheControl(toImageBlock(part as { image_url?: { url?: string } }), part));
    else if (part.type === 'file') out.push(withCacheControl(toDocumentBlock(part), part));
    else throw untranslatableRequest(`Content parts of type "${part.type}" cannot be sent to Anthropic.`);
  }
  return out;
}

/**
 * An OpenAI `file` part with inline data as an Anthropic document (PDF as base64, plain text as text).
 *
 * @example toDocumentBlock({ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBE', filename: 'q3.pdf' } })
 * // { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' }, title: 'q3.pdf' }
 */
export function toDocumentBlock(part: ChatContentPart): AnthropicDocumentBlock {
  const file = (part as { file?: { file_data?: unknown; filename?: unknown } }).file;
  const inline = typeof file?.file_data === 'string' ? parseBase64DataUrl(file.file_data) : undefined;
  if (!inline) throw untranslatableRequest('A file part needs file_data as a base64 data: URL for Anthropic (uploaded file ids are not supported).');
  const title = typeof file?.filename === 'string' && file.filename ? { title: file.filename } : {};
  if (inline.mimeType === 'text/plain')
    return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: Buffer.from(inline.data, 'base64').toString('utf8') }, ...title };
  return { type: 'document', source: { type: 'base64', media_type: inline.mimeType, data: inline.data }, ...title };
}

/**
 * @example toImageBlock({ image_url: { url: 'data:image/png;base64,iVBOR...' } })
 * // { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR...' } }
 */
export function toImageBlock(part: { image_url?: { url?: string } }): AnthropicImageBlock {
  const url = part.image_url?.url;
  if (typeof url !== 'string' || !url) throw untranslatableRequest('An image_url part has no url.');
  const inline = parseBase64DataUrl(url);
  if (inline) return { type: 'image', source: { type: 'base64', media_type: inline.mimeType, data: inline.data } };
  return { type: 'image', source: { type: 'url', url } };
}

function toToolUseBlock(call: ToolCall): AnthropicContentBlock {
  let input: unknown = {};
  const args = call.function.arguments;
  if (args && args.trim()) {
    try {
      input = JSON.parse(args);
    } catch {
      throw untranslatableRequest(`The arguments of tool call "${call.id}" are not valid JSON.`);
    }
  }
  return { type: 'tool_use', id: portableToolCallId(call.id), name: call.function.name, input };
}

function toToolResultBlock(msg: ChatMessage): AnthropicContentBlock {
  if (!msg.tool_call_id) throw untranslatableRequest('A tool message has no tool_call_id.');
  const content =
    typeof msg.content === 'string'
      ? msg.content
      : textBlocks(msg.content)
          .map((b) => b.text)
          .join('');
  return { type: 'tool_result', tool_use_id: portableToolCallId(msg.tool_call_id), content };
}
