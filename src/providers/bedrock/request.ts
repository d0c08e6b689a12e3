/**
 * OpenAI chat request → Bedrock Converse request. Bedrock rejects fields it does not know, so the body is built
 * from a declarative map and nothing else is forwarded. Anthropic-style `cache_control` marks on content parts,
 * system parts and tools become Converse `cachePoint` blocks right after the marked block (Claude on Bedrock).
 */
import { parseBase64DataUrl } from '../data-url';
import { inAnswerOrder, reasoningBlocksOf, type ReasoningBlock } from '../anthropic/reasoning-blocks';
import { thinkingFor } from '../anthropic/request';
import { ownValue } from '../own-value';
import { untranslatableRequest } from '../upstream-error-info';
import type { ChatContentPart, ChatMessage, ChatRequest, ToolCall, ToolDefinition } from '../openai-types';
import type {
  BedrockCachePoint,
  BedrockContentBlock,
  BedrockConverseRequest,
  BedrockDocumentFormat,
  BedrockImageFormat,
  BedrockMessage,
  BedrockSystemBlock,
  BedrockToolChoice,
  BedrockToolSpec,
} from './wire-types';

const CACHE_POINT: BedrockCachePoint = { cachePoint: { type: 'default' } };

const IMAGE_FORMAT_BY_MIME: Record<string, BedrockImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

const DOCUMENT_FORMAT_BY_MIME: Record<string, BedrockDocumentFormat> = {
  'application/pdf': 'pdf',
  'text/csv': 'csv',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/html': 'html',
  'text/plain': 'txt',
  'text/markdown': 'md',
};
const DOCUMENT_FORMATS = new Set<string>(Object.values(DOCUMENT_FORMAT_BY_MIME));

/** True for Claude model ids on Bedrock (`anthropic.claude-…`, `us.anthropic.claude-…`, inference profile ARNs). */
export function isClaudeOnBedrock(modelId: string): boolean {
  return /anthropic\.|claude/i.test(modelId);
}

/**
 * @example
 * toConverseRequest({ model: 'anthropic.claude-3-5-haiku-20241022-v1:0', messages: [{ role: 'system', content: 'Be brief' },
 *   { role: 'user', content: 'Hi' }], max_tokens: 100 }, { dropParams: [] })
 * // { system: [{ text: 'Be brief' }], messages: [{ role: 'user', content: [{ text: 'Hi' }] }], inferenceConfig: { maxTokens: 100 } }
 */
export function toConverseRequest(body: ChatRequest, provider: { dropParams: string[] }): BedrockConverseRequest {
  if (typeof body.n === 'number' && body.n > 1) throw untranslatableRequest('Bedrock returns one choice per request; n > 1 is not supported.');
  const dropped = new Set(provider.dropParams);
  const has = (field: string) => !dropped.has(field) && body[field] !== undefined && body[field] !== null;
  const { system, messages } = toConverseMessages(body.messages);
  const out: BedrockConverseRequest = { messages };
  if (system.length) out.system = system;

  const inference: NonNullable<BedrockConverseRequest['inferenceConfig']> = {};
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (typeof maxTokens === 'number') inference.maxTokens = maxTokens;
  if (has('temperature') && typeof body.temperature === 'number') {
    // OpenAI allows 0..2; Claude takes 0..1 and Bedrock answers 400 above it.
    inference.temperature = isClaudeOnBedrock(body.model) ? Math.min(1, Math.max(0, body.temperature)) : body.temperature;
  }
  if (has('top_p') && typeof body.top_p === 'number') inference.topP = body.top_p;
  if (has('stop')) {
    const list = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop.filter((s) => typeof s === 'string') : [];
    if (list.length) inference.stopSequences = list;
  }

  // Model-native fields a client may send on purpose when it knows the backend is Claude.
  const extra: Record<string, unknown> = {};
  if (has('top_k') && typeof body.top_k === 'number') extra.top_k = body.top_k;
  if (has('thinking') && typeof body.thinking === 'object') extra.thinking = body.thinking;
  else if (has('reasoning_effort') && claudeThinksOnBedrock(body.model) && !toolTurnWithoutReasoning(messages)) {
    // Claude's extended thinking from OpenAI's reasoning_effort, as on Anthropic's own API (anthropic/request.ts).
    const thinking = thinkingFor(body.reasoning_effort, inference.maxTokens ?? CLAUDE_MAX_TOKENS_WITH_THINKING);
    if (thinking) {
      extra.thinking = thinking;
      inference.maxTokens ??= CLAUDE_MAX_TOKENS_WITH_THINKING;
    }
  }
  if (isObject(extra.thinking) && extra.thinking.type === 'enabled') {
    // Claude with thinking takes no temperature, and top_p only from 0.95: left out, as OpenAI's reasoning models ignore them.
    delete inference.temperature;
    if (inference.topP !== undefined && inference.topP < 0.95) delete inference.topP;
  }
  if (Object.keys(extra).length) out.additionalModelRequestFields = extra;
  if (Object.keys(inference).length) out.inferenceConfig = inference;

  if (body.tools?.length && !dropped.has('tools')) {
    const historyHasTools = messages.some((m) => m.content.some((b) => b.toolUse || b.toolResult));
    // Converse has no "none": without tool turns in the history the tools are left out; with them Bedrock
    // requires the tool list, so the model is merely not forced.
    if (body.tool_choice !== 'none' || historyHasTools) {
      out.toolConfig = { tools: body.tools.flatMap(toToolSpec) };
      const choice = toToolChoice(body.tool_choice);
      if (choice) out.toolConfig.toolChoice = choice;
    }
  }
  return out;
}

function hasCacheControl(thing: unknown): boolean {
  const cc = (thing as { cache_control?: unknown } | null)?.cache_control;
  return !!cc && typeof cc === 'object';
}

function toToolSpec(tool: ToolDefinition): (BedrockToolSpec | BedrockCachePoint)[] {
  if (tool.type !== 'function' || !tool.function?.name) throw untranslatableRequest('Bedrock takes function tools only.');
  const spec: BedrockToolSpec = {
    // Converse requires an object schema even for tools without parameters.
    toolSpec: { name: tool.function.name, inputSchema: { json: tool.function.parameters ?? { type: 'object', properties: {} } } },
  };
  if (tool.function.description) spec.toolSpec.description = tool.function.description;
  return hasCacheControl(tool) ? [spec, CACHE_POINT] : [spec];
}

function toToolChoice(choice: ChatRequest['tool_choice']): BedrockToolChoice | undefined {
  if (choice === 'auto') return { auto: {} };
  if (choice === 'required') return { any: {} };
  if (choice && typeof choice === 'object') return { tool: { name: choice.function.name } };
  return undefined;
}

/**
 * Lifts system and developer messages to `system`, turns tool results into user turns, and merges consecutive
 * same-role turns (Converse wants alternating roles, and every tool result of a turn in one user message).
 *
 * @example toConverseMessages([{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'Hi' }])
 * // { system: [{ text: 'Be brief' }], messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }
 */
export function toConverseMessages(messages: ChatMessage[]): { system: BedrockSystemBlock[]; messages: BedrockMessage[] } {
  const system: BedrockSystemBlock[] = [];
  const out: BedrockMessage[] = [];
  const documentNames = new Set<string>();
  const append = (role: 'user' | 'assistant', blocks: BedrockContentBlock[]) => {
    if (blocks.length === 0) return;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: [...blocks] });
  };
  for (const msg of messages) {
    switch (msg.role) {
      case 'system':
      case 'developer':
        system.push(...(textBlocks(msg.content) as BedrockSystemBlock[]));
        break;
      case 'user':
        append('user', contentBlocks(msg.content, documentNames));
        break;
      case 'assistant':
        // Claude's signed reasoning goes back unchanged and where it was (first, or between the tool calls it came
        // between), as it requires with thinking on in a tool loop.
        append('assistant', inAnswerOrder(reasoningBlocksOf(msg), textBlocks(msg.content), (msg.tool_calls ?? []).map(toToolUse), toReasoningContent));
        break;
      case 'tool':
        append('user', [toToolResult(msg)]);
        break;
      default:
        throw untranslatableRequest(`Messages with role "${msg.role}" cannot be sent to Bedrock; use "tool" messages for tool results.`);
    }
  }
  return { system, messages: out };
}

/** Text parts as blocks (Bedrock rejects blank text), each followed by a cache point when it was marked. */
/**
 * Claude models that take extended thinking (3.7 and the 4 family); earlier ones answer 400 to it, so
 * reasoning_effort is not turned into thinking for them.
 *
 * @example claudeThinksOnBedrock('us.anthropic.claude-sonnet-4-5-20250929-v1:0') // true
 * @example claudeThinksOnBedrock('anthropic.claude-3-5-haiku-20241022-v1:0') // false
 */
export function claudeThinksOnBedrock(modelId: string): boolean {
  return /claude-(3-7|(opus|sonnet|haiku)-4|4)/i.test(modelId);
}

/** max_tokens for Claude thinking asked for by reasoning_effort without a limit: room for the largest budget and an answer. */
const CLAUDE_MAX_TOKENS_WITH_THINKING = 40_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object';
}

/**
 * True when the conversation ends with tool results whose assistant turn does not start with Claude's reasoning
 * (another provider made the calls, or the reasoning was not sent back): Claude would refuse it with thinking
 * on, so reasoning_effort asks for none on that turn.
 *
 * @example toolTurnWithoutReasoning([user, { role: 'assistant', content: [{ toolUse }] }, { role: 'user', content: [{ toolResult }] }]) // true
 */
export function toolTurnWithoutReasoning(messages: BedrockMessage[]): boolean {
  const last = messages.at(-1);
  const before = messages.at(-2);
  if (!last?.content.some((b) => b.toolResult)) return false;
  return before?.role !== 'assistant' || !before.content[0]?.reasoningContent;
}

/**
 * One of Claude's reasoning blocks as Converse carries it.
 *
 * @example toReasoningContent({ type: 'thinking', thinking: 'a', signature: 's' }) // { reasoningContent: { reasoningText: { text: 'a', signature: 's' } } }
 */
export function toReasoningContent(block: ReasoningBlock): BedrockContentBlock {
  if (block.type === 'redacted_thinking') return { reasoningContent: { redactedContent: block.data } };
  return { reasoningContent: { reasoningText: { text: block.thinking, signature: block.signature } } };
}

function textBlocks(content: ChatMessage['content']): BedrockContentBlock[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  if (!Array.isArray(content)) return [];
  const out: BedrockContentBlock[] = [];
  for (const part of content) {
    if (part.type === 'text' && typeof part.text === 'string' && part.text) {
      out.push({ text: part.text });
      if (hasCacheControl(part)) out.push(CACHE_POINT);
    }
  }
  return out;
}

function contentBlocks(content: ChatMessage['content'], documentNames: Set<string>): BedrockContentBlock[] {
  if (!Array.isArray(content)) return textBlocks(content);
  const out: BedrockContentBlock[] = [];
  for (const part of content) {
    if (part.type === 'text') {
      out.push(...textBlocks([part]));
      continue;
    }
    if (part.type === 'image_url') out.push(toImageBlock(part as { image_url?: { url?: string } }));
    else if (part.type === 'file') out.push(toDocumentBlock(part, documentNames));
    else throw untranslatableRequest(`Content parts of type "${part.type}" cannot be sent to Bedrock.`);
    if (hasCacheControl(part)) out.push(CACHE_POINT);
  }
  return out;
}

/**
 * @example toImageBlock({ image_url: { url: 'data:image/png;base64,iVBOR' } }) // { image: { format: 'png', source: { bytes: 'iVBOR' } } }
 */
export function toImageBlock(part: { image_url?: { url?: string } }): BedrockContentBlock {
  const url = part.image_url?.url;
  if (typeof url !== 'string' || !url) throw untranslatableRequest('An image_url part has no url.');
  const inline = parseBase64DataUrl(url);
  if (!inline) throw untranslatableRequest('Bedrock takes images inline only: send them as base64 data: URLs, not links.');
  const format = ownValue(IMAGE_FORMAT_BY_MIME, inline.mimeType.toLowerCase());
  if (!format) throw untranslatableRequest(`Bedrock takes PNG, JPEG, GIF and WebP images, not ${inline.mimeType}.`);
  return { image: { format, source: { bytes: inline.data } } };
}

/**
 * An OpenAI `file` part (`{ type: 'file', file: { file_data: 'data:application/pdf;base64,…', filename } }`) as a
 * Converse document. Bedrock wants a name of letters, digits, spaces, hyphens, parentheses and brackets, unique
 * within the request.
 *
 * @example toDocumentBlock({ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBE', filename: 'q3 report.pdf' } }, new Set())
 * // { document: { format: 'pdf', name: 'q3 report', source: { bytes: 'JVBE' } } }
 */
export function toDocumentBlock(part: ChatContentPart, names: Set<string>): BedrockContentBlock {
  const file = (part as { file?: { file_data?: unknown; file_id?: unknown; filename?: unknown } }).file;
  if (file && typeof file.file_id === 'string' && file.file_data === undefined) {
    throw untranslatableRequest('Bedrock cannot read uploaded file ids; send the file inline as file_data.');
  }
  const inline = typeof file?.file_data === 'string' ? parseBase64DataUrl(file.file_data) : undefined;
  if (!inline) throw untranslatableRequest('A file part needs file_data as a base64 data: URL for Bedrock.');
  const filename = typeof file?.filename === 'string' ? file.filename : '';
  const extension = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase();
  const format = ownValue(DOCUMENT_FORMAT_BY_MIME, inline.mimeType.toLowerCase()) ?? (extension && DOCUMENT_FORMATS.has(extension) ? extension : undefined);
  if (!format) throw untranslatableRequest(`Bedrock takes pdf, csv, doc, docx, xls, xlsx, html, txt and md documents, not ${inline.mimeType}.`);
  const base =
    filename
      .replace(/\.[a-z0-9]+$/i, '')
      .replace(/[^A-Za-z0-9\s\-()[\]]/g, '-')
      .replace(/\s+/g, ' ')
      .trim() || 'document';
  let name = base;
  for (let i = 2; names.has(name); i++) name = `${base} (${i})`;
  names.add(name);
  return { document: { format: format as BedrockDocumentFormat, name, source: { bytes: inline.data } } };
}

function toToolUse(call: ToolCall): BedrockContentBlock {
  let input: unknown = {};
  const args = call.function.arguments;
  if (args && args.trim()) {
    try {
      input = JSON.parse(args);
    } catch {
      throw untranslatableRequest(`The arguments of tool call "${call.id}" are not valid JSON.`);
    }
  }
  return { toolUse: { toolUseId: call.id, name: call.function.name, input } };
}

function toToolResult(msg: ChatMessage): BedrockContentBlock {
  if (!msg.tool_call_id) throw untranslatableRequest('A tool message has no tool_call_id.');
  const text =
    typeof msg.content === 'string'
      ? msg.content
      : textBlocks(msg.content)
          .map((b) => b.text ?? '')
          .join('');
  // Bedrock rejects an empty content list and blank text.
  return { toolResult: { toolUseId: msg.tool_call_id, content: [{ text: text || '(empty)' }] } };
}
