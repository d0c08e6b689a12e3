/**
 * What a backend reached through Chat Completions cannot do with a Responses request: hosted tools and tool
 * choices, items other than messages and function calls, some `include` values, `truncation: auto`,
 * `max_tool_calls`, `top_logprobs`. Each is refused with a 400 naming the field, never dropped unseen.
 */
import type { GatewayError } from '../errors';
import { errors } from '../errors';
import type { ResponseItem, ResponsesRequest } from './types';

/** `include` values a bridged backend honours (there is no encrypted reasoning to add; image urls are in the input). */
const BRIDGED_INCLUDES = new Set(['reasoning.encrypted_content', 'message.input_image.image_url']);
/** Item types request.ts translates to chat messages. */
const BRIDGED_ITEMS = new Set(['message', 'function_call', 'function_call_output', 'reasoning']);

function partRefusal(part: Record<string, unknown>, param: string): GatewayError | undefined {
  if (part.type === 'input_image' && typeof part.image_url !== 'string')
    return errors.responsesUnsupported(`${param}.file_id`, 'An input_image by file_id needs the provider’s Files API; send image_url (a URL or a data URL).');
  if (part.type === 'input_file' && typeof part.file_data !== 'string' && typeof part.file_id !== 'string')
    return errors.responsesUnsupported(`${param}.file_url`, 'An input_file by file_url is fetched by OpenAI itself; send file_data (a data URL).');
  return undefined;
}

function itemRefusal(item: ResponseItem, param: string): GatewayError | undefined {
  if (!BRIDGED_ITEMS.has(item.type)) return errors.responsesUnsupported(`${param}.type`, `Input items of type '${item.type}' belong to hosted tools.`);
  const parts = item.type === 'message' ? item.content : item.type === 'function_call_output' ? item.output : undefined;
  if (Array.isArray(parts)) {
    const key = item.type === 'message' ? 'content' : 'output';
    for (const [j, part] of (parts as Record<string, unknown>[]).entries()) {
      const refusal = partRefusal(part, `${param}.${key}[${j}]`);
      if (refusal) return refusal;
    }
  }
  return undefined;
}

/**
 * The first thing in `req` a Chat Completions backend cannot do, or undefined. `items` is the whole conversation
 * (history first); `historyLength` of them came from the store, so only the client's own are named by index.
 *
 * @example bridgeRefusal({ model: 'fast', input, tools: [{ type: 'web_search' }] }, input, 0)?.param // 'tools[0].type'
 */
export function bridgeRefusal(req: ResponsesRequest, items: ResponseItem[], historyLength: number): GatewayError | undefined {
  for (const [i, tool] of (req.tools ?? []).entries()) {
    if (tool.type !== 'function') return errors.responsesUnsupported(`tools[${i}].type`, `The hosted tool '${tool.type}' runs only on OpenAI's Responses API.`);
  }
  const choice = req.tool_choice;
  if (typeof choice === 'object' && choice !== null && choice.type !== 'function')
    return errors.responsesUnsupported('tool_choice.type', `A tool_choice of type '${choice.type}' is not expressible in Chat Completions.`);
  for (const [i, value] of (req.include ?? []).entries()) {
    if (!BRIDGED_INCLUDES.has(value)) return errors.responsesUnsupported(`include[${i}]`, `include '${value}' is not available.`);
  }
  if (req.truncation === 'auto') return errors.responsesUnsupported('truncation', "truncation: 'auto' (dropping the oldest turns) is not applied.");
  if (req.max_tool_calls !== undefined && req.max_tool_calls !== null) return errors.responsesUnsupported('max_tool_calls', 'max_tool_calls is not enforced.');
  if (req.top_logprobs) return errors.responsesUnsupported('top_logprobs', 'Log probabilities are not returned.');
  for (let i = historyLength; i < items.length; i++) {
    const refusal = itemRefusal(items[i], `input[${i - historyLength}]`);
    if (refusal) return refusal;
  }
  for (let i = 0; i < historyLength; i++) {
    const refusal = itemRefusal(items[i], 'previous_response_id');
    if (refusal) return refusal;
  }
  return undefined;
}
