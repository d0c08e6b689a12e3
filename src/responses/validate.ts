/**
 * Checks a POST /v1/responses body and normalises it (a string `input` becomes one user message). Every refusal
 * is a 400 in OpenAI's shape whose `param` names the field, as OpenAI's own answers do. What only some backends
 * can do (hosted tools…) is not refused here but by bridge-limits.ts, once the backends are known.
 */
import { errors } from '../errors';
import { MAX_OUTPUT_TOKENS } from '../server/request-schemas';
import type { ResponseItem, ResponsesRequest } from './types';

/** The create request's fields (OpenAI's reference and the Open Responses schema), plus the gateway's `fallbacks`. */
const KNOWN_FIELDS = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'text',
  'reasoning',
  'max_output_tokens',
  'max_tool_calls',
  'temperature',
  'top_p',
  'top_logprobs',
  'metadata',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'service_tier',
  'store',
  'previous_response_id',
  'include',
  'truncation',
  'stream',
  'stream_options',
  'background',
  'presence_penalty',
  'frequency_penalty',
  'fallbacks',
]);

/** Top-level features the gateway does not offer on any backend. */
const NOT_OFFERED: Record<string, string> = {
  conversation: 'The Conversations API is not served by this gateway; chain turns with previous_response_id.',
  prompt: 'Stored prompt templates are not served by this gateway; send the prompt as input.',
};

const MESSAGE_ROLES = new Set(['user', 'assistant', 'system', 'developer']);
const TEXT_PARTS = new Set(['input_text', 'output_text', 'text', 'summary_text', 'reasoning_text']);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = errors.responsesRequestInvalid;

function optionalString(body: Json, field: string): void {
  const v = body[field];
  if (v !== undefined && v !== null && typeof v !== 'string') throw bad(field, 'expected a string.');
}

function optionalBoolean(body: Json, field: string): void {
  const v = body[field];
  if (v !== undefined && v !== null && typeof v !== 'boolean') throw bad(field, 'expected a boolean.');
}

function optionalNumber(body: Json, field: string, min: number, max: number, integer = false): void {
  const v = body[field];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
    throw bad(field, `expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}.`);
}

function checkPart(part: unknown, param: string, role: string): void {
  if (!isObject(part) || typeof part.type !== 'string') throw bad(param, 'expected a content part object with a type.');
  const type = part.type;
  if (TEXT_PARTS.has(type)) {
    if (typeof part.text !== 'string') throw bad(`${param}.text`, 'expected a string.');
    return;
  }
  if (type === 'refusal') {
    if (typeof part.refusal !== 'string') throw bad(`${param}.refusal`, 'expected a string.');
    return;
  }
  if (type === 'input_image') {
    if (role === 'assistant') throw bad(`${param}.type`, 'an assistant message cannot hold input_image.');
    if (typeof part.image_url !== 'string' && typeof part.file_id !== 'string') throw bad(param, 'an input_image needs an image_url or a file_id.');
    if (part.detail !== undefined && part.detail !== null && !['auto', 'low', 'high', 'original'].includes(part.detail as string))
      throw bad(`${param}.detail`, "expected 'auto', 'low' or 'high'.");
    return;
  }
  if (type === 'input_file') {
    if (typeof part.file_data !== 'string' && typeof part.file_id !== 'string' && typeof part.file_url !== 'string')
      throw bad(param, 'an input_file needs file_data, file_id or file_url.');
    return;
  }
  throw bad(`${param}.type`, `unknown content part type '${type}'.`);
}

function checkMessage(item: Json, param: string): void {
  const role = item.role;
  if (typeof role !== 'string' || !MESSAGE_ROLES.has(role)) throw bad(`${param}.role`, "expected 'user', 'assistant', 'system' or 'developer'.");
  const content = item.content;
  if (typeof content === 'string') return;
  if (!Array.isArray(content)) throw bad(`${param}.content`, 'expected a string or an array of content parts.');
  content.forEach((part, j) => checkPart(part, `${param}.content[${j}]`, role));
}

/** Checks the item types the gateway reads; any other type is left to the backend (a native one may know it). */
function checkItem(item: unknown, param: string): ResponseItem {
  if (!isObject(item)) throw bad(param, 'expected an input item object.');
  const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
  if (typeof type !== 'string') throw bad(`${param}.type`, 'expected a string.');
  if (item.id !== undefined && item.id !== null && typeof item.id !== 'string') throw bad(`${param}.id`, 'expected a string.');
  switch (type) {
    case 'message':
      checkMessage(item, param);
      break;
    case 'function_call':
      for (const f of ['call_id', 'name', 'arguments']) if (typeof item[f] !== 'string') throw bad(`${param}.${f}`, 'expected a string.');
      break;
    case 'function_call_output':
      if (typeof item.call_id !== 'string') throw bad(`${param}.call_id`, 'expected a string.');
      if (typeof item.output !== 'string') {
        if (!Array.isArray(item.output)) throw bad(`${param}.output`, 'expected a string or an array of content parts.');
        item.output.forEach((part, j) => checkPart(part, `${param}.output[${j}]`, 'user'));
      }
      break;
    case 'reasoning':
      if (item.summary !== undefined && !Array.isArray(item.summary)) throw bad(`${param}.summary`, 'expected an array.');
      if (item.content !== undefined && item.content !== null && !Array.isArray(item.content)) throw bad(`${param}.content`, 'expected an array.');
      break;
    case 'item_reference':
      if (typeof item.id !== 'string') throw bad(`${param}.id`, 'expected a string.');
      break;
  }
  return { ...item, type } as ResponseItem;
}

function checkInput(input: unknown): ResponseItem[] {
  if (input === undefined || input === null) return [];
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  if (!Array.isArray(input)) throw bad('input', 'expected a string or an array of input items.');
  return input.map((item, i) => checkItem(item, `input[${i}]`));
}

function checkTools(tools: unknown): void {
  if (tools === undefined || tools === null) return;
  if (!Array.isArray(tools)) throw bad('tools', 'expected an array.');
  tools.forEach((tool, i) => {
    if (!isObject(tool) || typeof tool.type !== 'string') throw bad(`tools[${i}]`, 'expected a tool object with a type.');
    if (tool.type !== 'function') return; // hosted tools: bridge-limits.ts decides per backend
    if (typeof tool.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name))
      throw bad(`tools[${i}].name`, 'expected a name of 1 to 64 letters, digits, underscores or dashes.');
    if (tool.parameters !== undefined && tool.parameters !== null && !isObject(tool.parameters))
      throw bad(`tools[${i}].parameters`, 'expected a JSON Schema object.');
  });
}

function checkToolChoice(choice: unknown): void {
  if (choice === undefined || choice === null) return;
  if (typeof choice === 'string') {
    if (!['none', 'auto', 'required'].includes(choice)) throw bad('tool_choice', "expected 'none', 'auto', 'required' or an object.");
    return;
  }
  if (!isObject(choice) || typeof choice.type !== 'string') throw bad('tool_choice', 'expected a string or an object with a type.');
  if (choice.type === 'function' && typeof choice.name !== 'string') throw bad('tool_choice.name', 'expected a string.');
}

function checkText(text: unknown): void {
  if (text === undefined || text === null) return;
  if (!isObject(text)) throw bad('text', 'expected an object.');
  const format = text.format;
  if (format === undefined || format === null) return;
  if (!isObject(format) || typeof format.type !== 'string') throw bad('text.format', 'expected an object with a type.');
  if (!['text', 'json_object', 'json_schema'].includes(format.type)) throw bad('text.format.type', "expected 'text', 'json_object' or 'json_schema'.");
  if (format.type === 'json_schema') {
    if (typeof format.name !== 'string' || !format.name) throw bad('text.format.name', 'expected a string.');
    if (!isObject(format.schema)) throw bad('text.format.schema', 'expected a JSON Schema object.');
  }
}

function checkReasoning(reasoning: unknown): void {
  if (reasoning === undefined || reasoning === null) return;
  if (!isObject(reasoning)) throw bad('reasoning', 'expected an object.');
  const effort = reasoning.effort;
  if (effort !== undefined && effort !== null && !['none', 'minimal', 'low', 'medium', 'high', 'xhigh'].includes(effort as string))
    throw bad('reasoning.effort', "expected 'none', 'minimal', 'low', 'medium', 'high' or 'xhigh'.");
  for (const f of ['summary', 'generate_summary']) {
    const v = reasoning[f];
    if (v !== undefined && v !== null && !['auto', 'concise', 'detailed'].includes(v as string))
      throw bad(`reasoning.${f}`, "expected 'auto', 'concise' or 'detailed'.");
  }
}

function checkMetadata(metadata: unknown): void {
  if (metadata === undefined || metadata === null) return;
  if (!isObject(metadata)) throw bad('metadata', 'expected an object of strings.');
  const entries = Object.entries(metadata);
  if (entries.length > 16) throw bad('metadata', 'at most 16 keys.');
  for (const [k, v] of entries) {
    if (k.length > 64) throw bad('metadata', `the key '${k.slice(0, 20)}…' is longer than 64 characters.`);
    if (typeof v !== 'string' || v.length > 512) throw bad(`metadata.${k}`, 'expected a string of at most 512 characters.');
  }
}

/**
 * @example validateResponsesRequest({ model: 'fast', input: 'Hi' }).input // [{ type: 'message', role: 'user', content: 'Hi' }]
 */
export function validateResponsesRequest(body: unknown): ResponsesRequest {
  if (!isObject(body)) throw errors.bodyNotObject();
  for (const key of Object.keys(body)) {
    const why = NOT_OFFERED[key];
    if (why !== undefined && body[key] !== undefined && body[key] !== null) throw errors.unsupportedOnGateway(why, key);
    if (why === undefined && !KNOWN_FIELDS.has(key)) throw errors.responsesUnknownParameter(key);
  }
  if (typeof body.model !== 'string' || !body.model) throw bad('model', 'expected the name of a model.');
  const input = checkInput(body.input);
  optionalString(body, 'instructions');
  checkTools(body.tools);
  checkToolChoice(body.tool_choice);
  optionalBoolean(body, 'parallel_tool_calls');
  checkText(body.text);
  checkReasoning(body.reasoning);
  optionalNumber(body, 'max_output_tokens', 1, MAX_OUTPUT_TOKENS, true);
  optionalNumber(body, 'max_tool_calls', 1, 1_000, true);
  optionalNumber(body, 'temperature', 0, 2);
  optionalNumber(body, 'top_p', 0, 1);
  optionalNumber(body, 'top_logprobs', 0, 20, true);
  optionalNumber(body, 'presence_penalty', -2, 2);
  optionalNumber(body, 'frequency_penalty', -2, 2);
  checkMetadata(body.metadata);
  for (const f of ['user', 'safety_identifier', 'prompt_cache_key', 'service_tier', 'previous_response_id']) optionalString(body, f);
  for (const f of ['store', 'stream', 'background']) optionalBoolean(body, f);
  if (body.include !== undefined && body.include !== null && (!Array.isArray(body.include) || body.include.some((v) => typeof v !== 'string')))
    throw bad('include', 'expected an array of strings.');
  if (body.truncation !== undefined && body.truncation !== null && body.truncation !== 'auto' && body.truncation !== 'disabled')
    throw bad('truncation', "expected 'auto' or 'disabled'.");
  if (body.background === true) throw errors.unsupportedOnGateway('background: true is not served by this gateway; send the request without it.', 'background');
  if (input.length === 0 && typeof body.previous_response_id !== 'string') throw bad('input', 'expected a string or a non-empty array of input items.');
  return { ...(body as unknown as ResponsesRequest), input };
}
