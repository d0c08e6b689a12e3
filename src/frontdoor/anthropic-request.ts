/**
 * The Anthropic-compatible front door, inbound: checks an Anthropic Messages request the way Anthropic does and
 * turns it into the OpenAI chat request the gateway routes, whatever provider ends up serving it.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { errors } from '../errors';
import { placedBlock, reasoningFields, toReasoningBlock, type PlacedReasoningBlock } from '../providers/anthropic/reasoning-blocks';
import type { ChatContentPart, ChatMessage, ChatRequest, ToolCall, ToolDefinition } from '../providers/openai-types';
import type {
  AnthropicContentBlock,
  AnthropicImageSource,
  AnthropicDocumentBlock,
  AnthropicMessageParam,
  AnthropicMessagesRequest,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
} from '../providers/anthropic/wire-types';
import { MAX_OUTPUT_TOKENS } from '../server/request-schemas';

const MAX_TOKEN_COUNT = 2 ** 31 - 1;

/** `schema`, or null. A failure of the null branch says nothing useful, so the error report skips it. */
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });

const imageSource = {
  type: 'object',
  required: ['type'],
  properties: { type: { enum: ['base64', 'url'] } },
  allOf: [
    {
      if: { properties: { type: { const: 'base64' } } },
      then: { required: ['media_type', 'data'], properties: { media_type: { type: 'string' }, data: { type: 'string' } } },
    },
    { if: { properties: { type: { const: 'url' } } }, then: { required: ['url'], properties: { url: { type: 'string' } } } },
  ],
};
const textBlock = { type: 'object', required: ['type', 'text'], properties: { type: { const: 'text' }, text: { type: 'string' } } };
const imageBlock = { type: 'object', required: ['type', 'source'], properties: { type: { const: 'image' }, source: imageSource } };
/** A block of a given `type` must have that type's fields; blocks of other types pass (the translation decides). */
const blockOfType = (type: string, then: object) => ({ if: { required: ['type'], properties: { type: { const: type } } }, then });
const toolResultPart = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string' } },
  allOf: [blockOfType('text', textBlock), blockOfType('image', imageBlock)],
};
const contentBlock = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string' } },
  allOf: [
    blockOfType('text', textBlock),
    blockOfType('image', imageBlock),
    blockOfType('tool_use', { required: ['id', 'name', 'input'], properties: { id: { type: 'string' }, name: { type: 'string' }, input: { type: 'object' } } }),
    blockOfType('tool_result', {
      required: ['tool_use_id'],
      properties: {
        tool_use_id: { type: 'string' },
        content: { anyOf: [{ type: 'string' }, { type: 'array', items: toolResultPart }] },
        is_error: { type: 'boolean' },
      },
    }),
    blockOfType('thinking', { required: ['thinking'], properties: { thinking: { type: 'string' }, signature: { type: 'string' } } }),
    blockOfType('redacted_thinking', { required: ['data'], properties: { data: { type: 'string' } } }),
  ],
};

/**
 * The Messages API request as far as the gateway reads it, with Anthropic's own types and limits; fields it does
 * not read pass untouched. Property order is checking order: the first failure is the one reported.
 */
const messagesRequestSchema = {
  type: 'object',
  required: ['model', 'max_tokens', 'messages'],
  properties: {
    model: { type: 'string', minLength: 1 },
    max_tokens: { type: 'integer', minimum: 1, maximum: MAX_OUTPUT_TOKENS },
    messages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['role', 'content'],
        properties: { role: { enum: ['user', 'assistant'] }, content: { anyOf: [{ type: 'string' }, { type: 'array', items: contentBlock }] } },
      },
    },
    // Optional fields may be null, as in Anthropic's own API (the translation treats null as absent).
    system: nullable({ anyOf: [{ type: 'string' }, { type: 'array', items: textBlock }] }),
    stop_sequences: nullable({ type: 'array', items: { type: 'string' } }),
    stream: nullable({ type: 'boolean' }),
    temperature: nullable({ type: 'number', minimum: 0, maximum: 1 }),
    top_p: nullable({ type: 'number', minimum: 0, maximum: 1 }),
    top_k: nullable({ type: 'integer', minimum: 0, maximum: MAX_TOKEN_COUNT }),
    metadata: nullable({ type: 'object', properties: { user_id: nullable({ type: 'string' }) } }),
    tools: nullable({
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string' },
          description: nullable({ type: 'string' }),
          type: nullable({ type: 'string' }),
          input_schema: { type: 'object' },
        },
        // A custom tool (no type, or "custom") needs its input schema; server tools are refused by the translation.
        if: { properties: { type: { enum: ['custom', null] } } },
        then: { required: ['input_schema'] },
      },
    }),
    tool_choice: nullable({
      type: 'object',
      required: ['type'],
      properties: { type: { enum: ['auto', 'any', 'tool', 'none'] }, disable_parallel_tool_use: nullable({ type: 'boolean' }) },
      if: { properties: { type: { const: 'tool' } } },
      then: { required: ['name'], properties: { name: { type: 'string' } } },
    }),
    thinking: nullable({
      type: 'object',
      required: ['type'],
      properties: { type: { type: 'string' }, budget_tokens: { type: 'integer', minimum: 0, maximum: MAX_OUTPUT_TOKENS } },
    }),
  },
} as const;

// Not verbose: error objects are built for every failed anyOf branch, even when the body passes, and verbose
// ones cost five times as much on every request.
const ajv = new Ajv({ allErrors: false, strict: false });
const checkMessagesRequest = ajv.compile(messagesRequestSchema);
// POST /v1/messages/count_tokens takes the same body without max_tokens (which it does not need).
const checkCountTokensRequest = ajv.compile({ ...messagesRequestSchema, required: ['model', 'messages'] });

// Pydantic's words, which Anthropic's API answers with ("max_tokens: Field required").
const TYPE_WORDS: Record<string, string> = {
  string: 'a valid string',
  integer: 'a valid integer',
  number: 'a valid number',
  boolean: 'a valid boolean',
  array: 'a valid list',
  object: 'a valid dictionary or object to extract fields from',
  null: 'None',
};

function quotedChoices(values: readonly unknown[]): string {
  const quoted = values.map((v) => (v === null ? 'None' : `'${typeof v === 'string' ? v : JSON.stringify(v)}'`));
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}` : quoted.join('');
}

function fieldPath(e: ErrorObject): string {
  const at = e.instancePath.slice(1).replace(/\//g, '.');
  if (e.keyword !== 'required') return at;
  const missing = String((e.params as { missingProperty: string }).missingProperty);
  return at ? `${at}.${missing}` : missing;
}

function problem(e: ErrorObject): string {
  const p = e.params as { type?: string | string[]; limit?: number; allowedValues?: unknown[]; allowedValue?: unknown };
  switch (e.keyword) {
    case 'required':
      return 'Field required';
    case 'type':
      return `Input should be ${[p.type ?? []]
        .flat()
        .map((t) => TYPE_WORDS[t] ?? t)
        .join(' or ')}`;
    case 'enum':
      return `Input should be ${quotedChoices(p.allowedValues ?? [])}`;
    case 'const':
      return `Input should be ${quotedChoices([p.allowedValue])}`;
    case 'minimum':
      return `Input should be greater than or equal to ${p.limit}`;
    case 'maximum':
      return `Input should be less than or equal to ${p.limit}`;
    case 'minItems':
      return `List should have at least ${p.limit} item${p.limit === 1 ? '' : 's'} after validation, not 0`;
    case 'minLength':
      return `String should have at least ${p.limit} character${p.limit === 1 ? '' : 's'}`;
    default:
      return `Input is invalid (${e.message ?? e.keyword})`;
  }
}

/**
 * The failure to report, as Anthropic would: within `anyOf` and `if`/`then` ajv reports each branch and then the
 * combinator; the deepest concrete failure names the field that is wrong (the last of equals: the list branch
 * of "a string or a list" is the one that says most).
 */
function headline(list: readonly ErrorObject[]): ErrorObject | undefined {
  let best: ErrorObject | undefined;
  for (const e of list) {
    if (e.keyword === 'anyOf' || e.keyword === 'if' || e.keyword === 'allOf') continue;
    if (e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null') continue;
    if (!best || fieldPath(e).split('.').length >= fieldPath(best).split('.').length) best = e;
  }
  return best ?? list[list.length - 1];
}

/**
 * Rejects what Anthropic's API rejects, with Anthropic's wording, so a client sees the same errors as upstream.
 * Everything the translation below reads is checked here, so it cannot fail on a malformed body.
 *
 * @example validateAnthropicRequest({ model: 'claude', messages: [] }) // throws 400 "max_tokens: Field required"
 */
export function validateAnthropicRequest(body: unknown): AnthropicMessagesRequest {
  return checkedAgainst(checkMessagesRequest, body);
}

/** A count_tokens body: a Messages request without max_tokens. */
export type AnthropicCountTokensRequest = Pick<AnthropicMessagesRequest, 'model' | 'messages' | 'system' | 'tools' | 'tool_choice'> & Record<string, unknown>;

/**
 * The same checks for POST /v1/messages/count_tokens, where max_tokens is not required.
 *
 * @example validateAnthropicCountRequest({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] }) // passes
 */
export function validateAnthropicCountRequest(body: unknown): AnthropicCountTokensRequest {
  return checkedAgainst(checkCountTokensRequest, body);
}

function checkedAgainst(check: ValidateFunction, body: unknown): AnthropicMessagesRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.bodyNotObject();
  if (check(body)) return body as AnthropicMessagesRequest;
  const e = headline(check.errors ?? []);
  if (!e) throw errors.messagesRequestInvalid('', 'Input is invalid');
  const field = fieldPath(e);
  const role = /^messages\.(\d+)\.role$/.exec(field);
  if (role && (body as { messages: { role?: unknown }[] }).messages[Number(role[1])]?.role === 'system') {
    throw errors.messagesRequestInvalid(
      field,
      'Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.',
    );
  }
  throw errors.messagesRequestInvalid(field, problem(e));
}

/**
 * @example
 * anthropicToChatRequest({ model: 'fast', max_tokens: 100, system: 'Be brief', messages: [{ role: 'user', content: 'Hi' }] })
 * // { model: 'fast', max_tokens: 100, messages: [{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'Hi' }] }
 */
export function anthropicToChatRequest(req: AnthropicMessagesRequest): ChatRequest {
  const messages: ChatMessage[] = [];
  messages.push(...fromSystem(req.system));
  for (const msg of req.messages) messages.push(...(msg.role === 'user' ? fromUserMessage(msg) : [fromAssistantMessage(msg)]));

  const out: ChatRequest = { model: req.model, messages, max_tokens: req.max_tokens };
  if (req.temperature != null) out.temperature = req.temperature;
  if (req.top_p != null) out.top_p = req.top_p;
  if (req.stop_sequences?.length) out.stop = req.stop_sequences;
  if (req.metadata?.user_id) out.user = req.metadata.user_id;
  if (req.stream) {
    out.stream = true;
    // The Anthropic stream reports usage in message_delta; OpenAI backends only send it when asked.
    out.stream_options = { include_usage: true };
  }
  if (req.tools?.length) out.tools = req.tools.map(fromTool);
  if (req.tool_choice) applyToolChoice(req.tool_choice, out);
  applyThinking(req.thinking, out);
  return out;
}

/**
 * Anthropic's `thinking` travels twice: as is, for Anthropic backends (the exact budget), and as the nearest
 * OpenAI `reasoning_effort`, for every other backend (the OpenAI adapter sends only the latter).
 *
 * @example applyThinking({ type: 'enabled', budget_tokens: 4000 }, out) // out.thinking = {...}, out.reasoning_effort = 'medium'
 */
export function applyThinking(thinking: unknown, out: ChatRequest): void {
  if (!thinking || typeof thinking !== 'object') return;
  const t = thinking as { type?: unknown; budget_tokens?: unknown };
  // Disabled is every backend's default: nothing to say.
  if (t.type !== 'enabled' && t.type !== 'adaptive') return;
  out.thinking = thinking;
  const budget = typeof t.budget_tokens === 'number' ? t.budget_tokens : 8192;
  out.reasoning_effort = budget <= 2048 ? 'low' : budget <= 8192 ? 'medium' : 'high';
}

function fromTool(tool: AnthropicTool): ToolDefinition {
  if (typeof tool.type === 'string' && tool.type !== 'custom') {
    throw errors.unsupportedOnGateway(`Server tool "${tool.type}" is only available on Anthropic's own API, not through this gateway.`, 'tools');
  }
  const fn: ToolDefinition['function'] = { name: tool.name, parameters: tool.input_schema };
  if (tool.description) fn.description = tool.description;
  return { type: 'function', function: fn };
}

function applyToolChoice(choice: AnthropicToolChoice, out: ChatRequest): void {
  if (choice.type === 'none') out.tool_choice = 'none';
  else if (choice.type === 'auto') out.tool_choice = 'auto';
  else if (choice.type === 'any') out.tool_choice = 'required';
  else if (choice.type === 'tool') out.tool_choice = { type: 'function', function: { name: choice.name } };
  if ('disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use) out.parallel_tool_calls = false;
}

function blocksOf(content: AnthropicMessageParam['content']): AnthropicContentBlock[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

/**
 * The client's prompt-cache marks travel on the chat parts (`cache_control`), as the anthropic and bedrock
 * adapters read them; without them every Claude Code turn through the gateway would miss the cache.
 */
function cacheMarked<T extends object>(part: T, block: { cache_control?: unknown }): T {
  return block.cache_control && typeof block.cache_control === 'object' ? { ...part, cache_control: block.cache_control } : part;
}

/** `system` as a system message: one string, or text parts when a block carries a cache mark. */
function fromSystem(system: AnthropicMessagesRequest['system']): ChatMessage[] {
  if (typeof system === 'string') return system ? [{ role: 'system', content: system }] : [];
  const blocks = system ?? [];
  if (blocks.length === 0) return [];
  if (blocks.some((b) => b.cache_control)) return [{ role: 'system', content: blocks.map((b) => cacheMarked({ type: 'text', text: b.text }, b)) }];
  return [{ role: 'system', content: blocks.map((b) => b.text).join('\n\n') }];
}

/** A document block as an OpenAI `file` part (inline data URL; plain text is carried base64-encoded). */
function fromDocument(block: AnthropicDocumentBlock): ChatContentPart {
  const source = block.source as { type?: string; media_type?: string; data?: unknown };
  let dataUrl: string;
  if (source?.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string')
    dataUrl = `data:${source.media_type};base64,${source.data}`;
  else if (source?.type === 'text' && typeof source.data === 'string')
    dataUrl = `data:text/plain;base64,${Buffer.from(source.data, 'utf8').toString('base64')}`;
  else throw errors.unsupportedOnGateway('Document blocks must carry their content inline (source type "base64" or "text") through this gateway.', 'messages');
  const filename = typeof block.title === 'string' && block.title ? block.title : 'document';
  return cacheMarked({ type: 'file', file: { file_data: dataUrl, filename } }, block);
}

/** Tool results become `tool` messages, which OpenAI wants right after the assistant turn, before new user text. */
function fromUserMessage(msg: AnthropicMessageParam): ChatMessage[] {
  if (typeof msg.content === 'string') return [{ role: 'user', content: msg.content }];
  const toolMessages: ChatMessage[] = [];
  const parts: ChatContentPart[] = [];
  for (const block of blocksOf(msg.content)) {
    if (block.type === 'tool_result') toolMessages.push(fromToolResult(block));
    else if (block.type === 'text') parts.push(cacheMarked({ type: 'text', text: block.text }, block));
    else if (block.type === 'image') parts.push(cacheMarked({ type: 'image_url', image_url: { url: imageUrl(block.source) } }, block));
    else if (block.type === 'document') parts.push(fromDocument(block));
    else throw errors.unsupportedOnGateway(`Content blocks of type "${block.type}" are not supported in user messages by this gateway.`, 'messages');
  }
  // Plain text joins into one string (what every backend takes); marked or mixed parts stay parts.
  const plain = parts.every((p) => p.type === 'text' && !('cache_control' in p));
  const userMessages: ChatMessage[] =
    parts.length === 0 ? [] : [{ role: 'user', content: plain ? parts.map((p) => (p as { text: string }).text).join('\n') : parts }];
  return [...toolMessages, ...userMessages];
}

function fromToolResult(block: AnthropicToolResultBlock): ChatMessage {
  const text =
    typeof block.content === 'string' ? block.content : (block.content ?? []).map((b) => (b.type === 'text' ? b.text : '[image omitted]')).join('\n');
  return { role: 'tool', tool_call_id: block.tool_use_id, content: block.is_error ? `Error: ${text}` : text };
}

function fromAssistantMessage(msg: AnthropicMessageParam): ChatMessage {
  const texts: string[] = [];
  const reasoning: PlacedReasoningBlock[] = [];
  let unsigned = '';
  const toolCalls: ToolCall[] = [];
  for (const block of blocksOf(msg.content)) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'thinking' || block.type === 'redacted_thinking') {
      // Back to Claude as it came, each block with its signature and its place among the tool calls (the adapter
      // rebuilds them); other backends ignore them.
      const signed = toReasoningBlock(block);
      if (signed) reasoning.push(placedBlock(signed, toolCalls.length));
      else if (block.type === 'thinking') unsigned += block.thinking;
    } else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const out: ChatMessage = { role: 'assistant', content: texts.length ? texts.join('') : null };
  if (toolCalls.length) out.tool_calls = toolCalls;
  Object.assign(out, reasoningFields(reasoning, unsigned));
  return out;
}

function imageUrl(source: AnthropicImageSource): string {
  return source.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source.url;
}
