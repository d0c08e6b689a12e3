/**
 * A Responses request → the gateway's internal chat request, so it is routed, limited, cached and priced like
 * any chat request and reaches every backend through its chat adapter. `instructions` become the system message,
 * items become messages (consecutive function calls one assistant turn), `text.format` becomes
 * `response_format`, `reasoning.effort` becomes `reasoning_effort`.
 */
import type { ChatContentPart, ChatMessage, ChatRequest, ToolCall, ToolDefinition } from '../providers/openai-types';
import { placedBlock, reasoningFields, type PlacedReasoningBlock, type ReasoningBlock } from '../providers/anthropic/reasoning-blocks';
import { openSealedReasoning } from './sealed-reasoning';
import type { ResponseItem, ResponsesFunctionTool, ResponsesRequest } from './types';

type Part = Record<string, unknown>;

function partText(part: Part): string {
  if (typeof part.text === 'string') return part.text;
  if (typeof part.refusal === 'string') return part.refusal;
  return '';
}

/** Joins the text parts of a message's content (system, developer and assistant turns are plain text in chat). */
function plainText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as Part[]).map(partText).join('');
}

function toChatPart(part: Part): ChatContentPart {
  if (part.type === 'input_image') {
    const detail = typeof part.detail === 'string' && part.detail !== 'auto' ? { detail: part.detail } : {};
    return { type: 'image_url', image_url: { url: part.image_url as string, ...detail } };
  }
  if (part.type === 'input_file') {
    const file: Record<string, unknown> = {};
    for (const f of ['file_data', 'file_id', 'filename']) if (typeof part[f] === 'string') file[f] = part[f];
    return { type: 'file', file };
  }
  return { type: 'text', text: partText(part) };
}

/** User content: a string stays a string; parts become chat parts. */
function userContent(content: unknown): string | ChatContentPart[] {
  if (typeof content === 'string') return content;
  return (content as Part[]).map(toChatPart);
}

/** A reasoning item's text, carried to the assistant turn it preceded (chat's `reasoning_content`). */
function reasoningText(item: ResponseItem): string {
  const parts = [...((item.content as Part[] | undefined) ?? []), ...((item.summary as Part[] | undefined) ?? [])];
  return parts.map(partText).join('');
}

function toolOutput(output: unknown): string | ChatContentPart[] {
  if (typeof output === 'string') return output;
  const parts = output as Part[];
  // Chat tool messages take text; a text-only output is sent as one string, which every adapter reads.
  if (parts.every((p) => p.type === 'input_text' || p.type === 'output_text')) return parts.map(partText).join('');
  return parts.map(toChatPart);
}

/**
 * The conversation as chat messages.
 *
 * @example itemsToMessages([{ type: 'message', role: 'user', content: 'Hi' }]) // [{ role: 'user', content: 'Hi' }]
 */
export function itemsToMessages(items: ResponseItem[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let reasoning = '';
  /** Sealed reasoning items' blocks, in order (their text is exactly the signed text, not what the client kept). */
  let blocks: ReasoningBlock[] = [];
  /** The assistant turn function calls are added to; a message or output of another kind ends it. */
  let assistant: ChatMessage | undefined;
  /** That turn's signed blocks, each with its place among the turn's function calls. */
  let assistantBlocks: PlacedReasoningBlock[] = [];
  const openAssistant = (content: string | null): ChatMessage => {
    const message: ChatMessage = { role: 'assistant', content };
    Object.assign(message, reasoningFields(blocks, blocks.length ? '' : reasoning));
    assistantBlocks = blocks;
    reasoning = '';
    blocks = [];
    out.push(message);
    return message;
  };
  /** Signed reasoning between a turn's function calls stays in that turn, at its place (Claude wants it there). */
  const placeInAssistant = (turn: ChatMessage, block: ReasoningBlock) => {
    assistantBlocks = [...assistantBlocks, placedBlock(block, turn.tool_calls?.length ?? 0)];
    delete turn.reasoning_content;
    delete turn.reasoning_signature;
    delete turn.reasoning_blocks;
    Object.assign(turn, reasoningFields(assistantBlocks));
  };
  for (const item of items) {
    switch (item.type) {
      case 'message': {
        const role = item.role as ChatMessage['role'];
        if (role === 'assistant') {
          const text = plainText(item.content);
          if (assistant && !assistant.tool_calls?.length) assistant.content = (typeof assistant.content === 'string' ? assistant.content : '') + text;
          else assistant = openAssistant(text);
          break;
        }
        assistant = undefined;
        out.push({ role, content: role === 'user' ? userContent(item.content) : plainText(item.content) });
        break;
      }
      case 'function_call': {
        assistant ??= openAssistant(null);
        const call: ToolCall = { id: item.call_id as string, type: 'function', function: { name: item.name as string, arguments: item.arguments as string } };
        (assistant.tool_calls ??= []).push(call);
        break;
      }
      case 'function_call_output':
        assistant = undefined;
        out.push({ role: 'tool', tool_call_id: item.call_id as string, content: toolOutput(item.output) });
        break;
      case 'reasoning': {
        const sealed = openSealedReasoning(item.encrypted_content);
        if (sealed && assistant?.tool_calls?.length) {
          placeInAssistant(assistant, sealed);
          break;
        }
        assistant = undefined;
        // A signature vouches for its own text only: once signed reasoning came, unsigned text is left out.
        if (sealed) blocks.push(sealed);
        else reasoning += reasoningText(item);
        break;
      }
      // Other item types never get here on a bridged backend (bridge-limits.ts refuses them).
    }
  }
  return out;
}

function toChatTool(tool: ResponsesFunctionTool): ToolDefinition {
  const fn: ToolDefinition['function'] = { name: tool.name };
  if (tool.description) fn.description = tool.description;
  fn.parameters = tool.parameters ?? { type: 'object', properties: {} };
  if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

/**
 * @param history the items of the earlier turns (previous_response_id's chain), oldest first.
 * @example responsesToChatRequest({ model: 'fast', input: [{ type: 'message', role: 'user', content: 'Hi' }], instructions: 'Be brief' }, [])
 * // { model: 'fast', messages: [{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'Hi' }] }
 */
export function responsesToChatRequest(req: ResponsesRequest, history: ResponseItem[]): ChatRequest {
  const messages: ChatMessage[] = [];
  if (req.instructions) messages.push({ role: 'system', content: req.instructions });
  messages.push(...itemsToMessages([...history, ...req.input]));
  const out: ChatRequest = { model: req.model, messages };
  if (req.stream) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  const tools = (req.tools ?? []).filter((t): t is ResponsesFunctionTool => t.type === 'function');
  if (tools.length) out.tools = tools.map(toChatTool);
  const choice = req.tool_choice;
  if (typeof choice === 'string') out.tool_choice = choice;
  else if (choice?.type === 'function' && typeof choice.name === 'string') out.tool_choice = { type: 'function', function: { name: choice.name } };
  if (typeof req.parallel_tool_calls === 'boolean' && tools.length) out.parallel_tool_calls = req.parallel_tool_calls;
  const format = req.text?.format;
  if (format?.type === 'json_object') out.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    const schema: { name: string; schema: Record<string, unknown>; strict?: boolean; description?: string } = { name: format.name, schema: format.schema };
    if (typeof format.strict === 'boolean') schema.strict = format.strict;
    if (format.description) schema.description = format.description;
    out.response_format = { type: 'json_schema', json_schema: schema };
  }
  if (req.text?.verbosity) out.verbosity = req.text.verbosity;
  if (req.reasoning?.effort) out.reasoning_effort = req.reasoning.effort;
  if (typeof req.max_output_tokens === 'number') out.max_completion_tokens = req.max_output_tokens;
  for (const f of ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty'] as const) {
    const v = req[f as keyof ResponsesRequest];
    if (typeof v === 'number') out[f] = v;
  }
  for (const f of ['user', 'safety_identifier', 'prompt_cache_key', 'service_tier'] as const) {
    const v = req[f];
    if (typeof v === 'string') out[f] = v;
  }
  if (req.fallbacks !== undefined) out.fallbacks = req.fallbacks;
  return out;
}
