/**
 * The Anthropic-compatible front door, inbound: checks an Anthropic Messages request the way Anthropic does and
 * turns it into the OpenAI chat request the gateway routes, whatever provider ends up serving it.
 */
import { errors } from '../errors';
import type { ChatContentPart, ChatMessage, ChatRequest, ToolCall, ToolDefinition } from '../providers/openai-types';
import type {
  AnthropicContentBlock,
  AnthropicImageSource,
  AnthropicMessageParam,
  AnthropicMessagesRequest,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
} from '../providers/anthropic/wire-types';

/**
 * Rejects what Anthropic's API rejects, with Anthropic's wording, so a client sees the same errors as upstream.
 *
 * @example validateAnthropicRequest({ model: 'claude', messages: [] }) // throws 400 "max_tokens: Field required"
 */
export function validateAnthropicRequest(body: unknown): AnthropicMessagesRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('The request body must be a JSON object.');
  const req = body as Partial<AnthropicMessagesRequest>;
  if (typeof req.model !== 'string' || !req.model) throw errors.badRequest('model: Field required', 'model');
  if (req.max_tokens === undefined) throw errors.badRequest('max_tokens: Field required', 'max_tokens');
  if (typeof req.max_tokens !== 'number' || !Number.isInteger(req.max_tokens) || req.max_tokens < 1) {
    throw errors.badRequest('max_tokens: Input should be a valid positive integer', 'max_tokens');
  }
  if (!Array.isArray(req.messages)) throw errors.badRequest('messages: Field required', 'messages');
  req.messages.forEach((m, i) => {
    const role = (m as { role?: unknown } | null)?.role;
    if (role === 'system') {
      throw errors.badRequest(`messages.${i}.role: Unexpected role "system". The Messages API accepts a top-level \`system\` parameter, not "system" as an input message role.`, 'messages');
    }
    if (role !== 'user' && role !== 'assistant') throw errors.badRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`, 'messages');
    const content = (m as { content?: unknown }).content;
    if (typeof content !== 'string' && !Array.isArray(content)) throw errors.badRequest(`messages.${i}.content: Field required`, 'messages');
  });
  return req as AnthropicMessagesRequest;
}

/**
 * @example
 * anthropicToChatRequest({ model: 'fast', max_tokens: 100, system: 'Be brief', messages: [{ role: 'user', content: 'Hi' }] })
 * // { model: 'fast', max_tokens: 100, messages: [{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'Hi' }] }
 */
export function anthropicToChatRequest(req: AnthropicMessagesRequest): ChatRequest {
  const messages: ChatMessage[] = [];
  const system = typeof req.system === 'string' ? req.system : (req.system ?? []).map((b) => b.text).join('\n\n');
  if (system) messages.push({ role: 'system', content: system });
  for (const msg of req.messages) messages.push(...(msg.role === 'user' ? fromUserMessage(msg) : [fromAssistantMessage(msg)]));

  const out: ChatRequest = { model: req.model, messages, max_tokens: req.max_tokens };
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (req.stop_sequences?.length) out.stop = req.stop_sequences;
  if (req.metadata?.user_id) out.user = req.metadata.user_id;
  if (req.stream) {
    out.stream = true;
    // The Anthropic stream reports usage in message_delta; OpenAI backends only send it when asked.
    out.stream_options = { include_usage: true };
  }
  if (req.tools?.length) out.tools = req.tools.map(fromTool);
  if (req.tool_choice) applyToolChoice(req.tool_choice, out);
  return out;
}

function fromTool(tool: AnthropicTool): ToolDefinition {
  if (typeof tool.type === 'string' && tool.type !== 'custom') {
    throw errors.badRequest(`Server tool "${tool.type}" is only available on Anthropic's own API, not through this gateway.`, 'tools');
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

/** Tool results become `tool` messages, which OpenAI wants right after the assistant turn, before new user text. */
function fromUserMessage(msg: AnthropicMessageParam): ChatMessage[] {
  if (typeof msg.content === 'string') return [{ role: 'user', content: msg.content }];
  const toolMessages: ChatMessage[] = [];
  const parts: ChatContentPart[] = [];
  for (const block of blocksOf(msg.content)) {
    if (block.type === 'tool_result') toolMessages.push(fromToolResult(block));
    else if (block.type === 'text') parts.push({ type: 'text', text: block.text });
    else if (block.type === 'image') parts.push({ type: 'image_url', image_url: { url: imageUrl(block.source) } });
    else throw errors.badRequest(`Content blocks of type "${block.type}" are not supported in user messages by this gateway.`, 'messages');
  }
  const userMessages: ChatMessage[] = parts.length === 0 ? [] : [{ role: 'user', content: parts.every((p) => p.type === 'text') ? parts.map((p) => (p as { text: string }).text).join('\n') : parts }];
  return [...toolMessages, ...userMessages];
}

function fromToolResult(block: AnthropicToolResultBlock): ChatMessage {
  const text = typeof block.content === 'string'
    ? block.content
    : (block.content ?? []).map((b) => (b.type === 'text' ? b.text : '[image omitted]')).join('\n');
  return { role: 'tool', tool_call_id: block.tool_use_id, content: block.is_error ? `Error: ${text}` : text };
}

function fromAssistantMessage(msg: AnthropicMessageParam): ChatMessage {
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of blocksOf(msg.content)) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
    // thinking blocks are the model's own scratchpad; other backends cannot take them back.
  }
  const out: ChatMessage = { role: 'assistant', content: texts.length ? texts.join('') : null };
  if (toolCalls.length) out.tool_calls = toolCalls;
  return out;
}

function imageUrl(source: AnthropicImageSource): string {
  return source.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source.url;
}
