/**
 * OpenAI chat request → Gemini generateContent request: messages to `contents`/`parts` (role `model` for the
 * assistant), system messages to `systemInstruction`, sampling to `generationConfig`, tools to
 * `functionDeclarations`. Gemini rejects unknown fields, so only mapped fields are sent.
 */
import { parseBase64DataUrl } from '../data-url';
import { untranslatableRequest } from '../upstream-error-info';
import type { ChatContentPart, ChatMessage, ChatRequest, ToolDefinition } from '../openai-types';
import { SKIP_THOUGHT_SIGNATURE, thoughtSignatureOf } from './tool-call-ids';
import type { GeminiContent, GeminiFunctionDeclaration, GeminiGenerationConfig, GeminiPart, GeminiRequest } from './wire-types';
import { ownValue } from '../own-value';

type ConfigWriter = (value: unknown, config: GeminiGenerationConfig) => void;

const asNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** OpenAI request field → generationConfig field. Fields not listed here are not sent. */
const GENERATION_CONFIG_MAP: Record<string, ConfigWriter> = {
  temperature: (v, c) => {
    c.temperature = asNumber(v);
  },
  top_p: (v, c) => {
    c.topP = asNumber(v);
  },
  top_k: (v, c) => {
    c.topK = asNumber(v);
  },
  max_tokens: (v, c) => {
    c.maxOutputTokens ??= asNumber(v);
  },
  max_completion_tokens: (v, c) => {
    c.maxOutputTokens = asNumber(v) ?? c.maxOutputTokens;
  },
  stop: (v, c) => {
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
    if (list.length) c.stopSequences = list;
  },
  seed: (v, c) => {
    c.seed = asNumber(v);
  },
  n: (v, c) => {
    c.candidateCount = asNumber(v);
  },
  presence_penalty: (v, c) => {
    c.presencePenalty = asNumber(v);
  },
  frequency_penalty: (v, c) => {
    c.frequencyPenalty = asNumber(v);
  },
  response_format: (v, c) => {
    const format = v as ChatRequest['response_format'];
    if (format?.type === 'json_object') c.responseMimeType = 'application/json';
    if (format?.type === 'json_schema') {
      c.responseMimeType = 'application/json';
      if (format.json_schema?.schema) c.responseSchema = toGeminiSchema(format.json_schema.schema);
    }
  },
};

/** Gemini 3 models: thinking by level, and a thought signature on every model turn's first function call. */
export function isGemini3(model: string): boolean {
  return /(^|\/)gemini-3/.test(model);
}

/** `reasoning_effort` as a Gemini 2.5 thinking budget (tokens); 0 turns thinking off where the model allows it. */
export const THINKING_BUDGET_BY_EFFORT: Record<string, number> = { none: 0, minimal: 512, low: 1024, medium: 8192, high: 24576, xhigh: 32768 };

/**
 * `reasoning_effort` as Gemini's thinkingConfig: a level on Gemini 3 (Pro knows low and high only, Flash also
 * minimal and medium), a budget before. Thought summaries are asked for, so the reasoning reaches the client
 * as `reasoning_content`.
 *
 * @example thinkingConfigFor('high', 'gemini-3-pro-preview') // { thinkingLevel: 'high', includeThoughts: true }
 * @example thinkingConfigFor('low', 'gemini-2.5-flash') // { thinkingBudget: 1024, includeThoughts: true }
 */
export function thinkingConfigFor(effort: unknown, model: string): Record<string, unknown> | undefined {
  if (typeof effort !== 'string') return undefined;
  const budget = ownValue(THINKING_BUDGET_BY_EFFORT, effort);
  if (budget === undefined) return undefined;
  if (isGemini3(model)) {
    const pro = /gemini-3[.\d]*-pro/.test(model);
    const level = budget <= 512 ? (pro ? 'low' : 'minimal') : budget <= 1024 ? 'low' : budget <= 8192 ? (pro ? 'high' : 'medium') : 'high';
    return { thinkingLevel: level, includeThoughts: true };
  }
  // 2.5 Pro cannot turn thinking off: its smallest budget is 128.
  if (budget === 0) return /gemini-2\.5-pro/.test(model) ? { thinkingBudget: 128, includeThoughts: true } : { thinkingBudget: 0 };
  return { thinkingBudget: budget, includeThoughts: true };
}

/** Gemini-native top-level fields a client may send on purpose when it knows the backend is Gemini. */
const NATIVE_PASSTHROUGH = ['safetySettings', 'cachedContent'];

/**
 * @example
 * toGeminiRequest({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2 }, { dropParams: [] })
 * // { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { temperature: 0.2 } }
 */
export function toGeminiRequest(body: ChatRequest, provider: { dropParams: string[] }): GeminiRequest {
  const dropped = new Set(provider.dropParams);
  const { systemParts, contents } = toGeminiContents(body.messages, body.model);
  const out: GeminiRequest = { contents };
  if (systemParts.length) out.systemInstruction = { parts: systemParts };

  const config: GeminiGenerationConfig = {};
  for (const [field, write] of Object.entries(GENERATION_CONFIG_MAP)) {
    if (!dropped.has(field) && body[field] !== undefined && body[field] !== null) write(body[field], config);
  }
  if (!dropped.has('reasoning_effort')) {
    const thinkingConfig = thinkingConfigFor(body.reasoning_effort, body.model);
    if (thinkingConfig) config.thinkingConfig = thinkingConfig;
  }
  const definedConfig = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
  if (Object.keys(definedConfig).length) out.generationConfig = definedConfig;

  if (body.tools?.length && !dropped.has('tools')) {
    out.tools = [{ functionDeclarations: body.tools.map(toFunctionDeclaration) }];
    const toolConfig = toToolConfig(body.tool_choice);
    if (toolConfig) out.toolConfig = toolConfig;
  }
  for (const field of NATIVE_PASSTHROUGH) if (body[field] !== undefined && !dropped.has(field)) out[field] = body[field];
  return out;
}

function toToolConfig(choice: ChatRequest['tool_choice']): GeminiRequest['toolConfig'] {
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (choice && typeof choice === 'object') return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  return undefined;
}

function toFunctionDeclaration(tool: ToolDefinition): GeminiFunctionDeclaration {
  const out: GeminiFunctionDeclaration = { name: tool.function.name };
  if (tool.function.description) out.description = tool.function.description;
  const params = tool.function.parameters;
  // A function without parameters must omit the schema; an empty object schema is rejected.
  const hasProperties = params && typeof params.properties === 'object' && Object.keys(params.properties as object).length > 0;
  if (params && hasProperties) out.parameters = toGeminiSchema(params);
  return out;
}

/** JSON Schema keywords Gemini's OpenAPI-subset Schema rejects as unknown fields. */
const UNSUPPORTED_SCHEMA_KEYWORDS = new Set(['$schema', '$id', '$comment', 'additionalProperties', 'default', 'examples', 'strict']);

/**
 * Removes the keywords Gemini rejects, walking only schema positions (a property may itself be named "default").
 *
 * @example toGeminiSchema({ type: 'object', additionalProperties: false, properties: { default: { type: 'string' } } })
 * // { type: 'object', properties: { default: { type: 'string' } } }
 */
export function toGeminiSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    // "__proto__" is no schema keyword, and `out[key] = value` would replace out's prototype with the client's object.
    if (UNSUPPORTED_SCHEMA_KEYWORDS.has(key) || key === '__proto__') continue;
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, Record<string, unknown>>).map(([name, s]) => [name, toGeminiSchema(s)]));
    } else if (key === 'items' && value && typeof value === 'object' && !Array.isArray(value)) {
      out.items = toGeminiSchema(value as Record<string, unknown>);
    } else if ((key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      out.anyOf = value.map((s) => toGeminiSchema(s as Record<string, unknown>));
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * Lifts system messages to systemInstruction, renames assistant to `model`, turns tool results into
 * functionResponse parts (Gemini wants the function's name, which OpenAI only gives on the original call),
 * and merges consecutive same-role turns.
 *
 * @example toGeminiContents([{ role: 'assistant', content: 'Hello' }]) // { systemParts: [], contents: [{ role: 'model', parts: [{ text: 'Hello' }] }] }
 */
export function toGeminiContents(messages: ChatMessage[], model = ''): { systemParts: GeminiPart[]; contents: GeminiContent[] } {
  const systemParts: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  const functionNameByCallId = new Map<string, string>();
  const append = (role: 'user' | 'model', parts: GeminiPart[]) => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts: [...parts] });
  };
  for (const msg of messages) {
    switch (msg.role) {
      case 'system':
      case 'developer':
        systemParts.push(...textParts(msg.content));
        break;
      case 'user':
        append('user', contentParts(msg.content));
        break;
      case 'assistant': {
        const calls: GeminiPart[] = (msg.tool_calls ?? []).map((call) => {
          functionNameByCallId.set(call.id, call.function.name);
          const part: GeminiPart = { functionCall: { name: call.function.name, args: parseArguments(call.function.arguments, call.id) } };
          const signature = thoughtSignatureOf(call.id, call.extra_content);
          if (signature) part.thoughtSignature = signature;
          return part;
        });
        append('model', [...textParts(msg.content), ...calls]);
        break;
      }
      case 'tool': {
        const name = msg.tool_call_id ? functionNameByCallId.get(msg.tool_call_id) : undefined;
        if (!name) throw untranslatableRequest('A tool message must answer a tool call of an earlier assistant message (tool_call_id).');
        append('user', [{ functionResponse: { name, response: toFunctionResponse(msg.content) } }]);
        break;
      }
      default:
        throw untranslatableRequest(`Messages with role "${msg.role}" cannot be sent to Gemini; use "tool" messages for tool results.`);
    }
  }
  if (isGemini3(model)) signFunctionCalls(contents);
  return { systemParts, contents };
}

/**
 * Gemini 3 refuses a model turn whose first function call has no thought signature. Calls another provider
 * made (or whose signature the gateway no longer has) get Google's documented sentinel instead.
 */
function signFunctionCalls(contents: GeminiContent[]): void {
  for (const content of contents) {
    if (content.role !== 'model') continue;
    const first = content.parts.find((p) => p.functionCall);
    if (first && !first.thoughtSignature) first.thoughtSignature = SKIP_THOUGHT_SIGNATURE;
  }
}

function parseArguments(args: string, id: string): Record<string, unknown> {
  if (!args || !args.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(args);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    throw untranslatableRequest(`The arguments of tool call "${id}" are not valid JSON.`);
  }
}

/** Gemini wants an object; a JSON object result is sent as is, anything else under `content`. */
function toFunctionResponse(content: ChatMessage['content']): Record<string, unknown> {
  const text =
    typeof content === 'string'
      ? content
      : textParts(content)
          .map((p) => p.text)
          .join('');
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Plain text results are the common case.
  }
  return { content: text };
}

function textParts(content: ChatMessage['content']): GeminiPart[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  if (!Array.isArray(content)) return [];
  const out: GeminiPart[] = [];
  for (const part of content) {
    if (part.type === 'text' && typeof part.text === 'string' && part.text) out.push({ text: part.text });
  }
  return out;
}

function contentParts(content: ChatMessage['content']): GeminiPart[] {
  if (!Array.isArray(content)) return textParts(content);
  return content.flatMap((part: ChatContentPart): GeminiPart[] => {
    if (part.type === 'text') return textParts([part]);
    if (part.type === 'image_url') return [toImagePart(part as { image_url?: { url?: string } })];
    throw untranslatableRequest(`Content parts of type "${part.type}" cannot be sent to Gemini.`);
  });
}

const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
};

/**
 * @example toImagePart({ image_url: { url: 'data:image/png;base64,iVBOR' } }) // { inlineData: { mimeType: 'image/png', data: 'iVBOR' } }
 */
export function toImagePart(part: { image_url?: { url?: string } }): GeminiPart {
  const url = part.image_url?.url;
  if (typeof url !== 'string' || !url) throw untranslatableRequest('An image_url part has no url.');
  const inline = parseBase64DataUrl(url);
  if (inline) return { inlineData: inline };
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase() ?? '';
  return { fileData: { mimeType: ownValue(MIME_BY_EXTENSION, extension) ?? 'image/jpeg', fileUri: url } };
}
