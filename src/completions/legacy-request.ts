/**
 * POST /v1/completions requests (OpenAI's legacy text completions): checked in OpenAI's words, then carried as
 * the chat request the gateway routes (so plugins, routing and accounting work as for chat), with the legacy
 * request itself attached under a symbol key for backends that serve /completions natively. A symbol key is
 * copied by object spreads (routing copies the body per attempt) and never serialised, so it cannot go upstream.
 */
import { errors } from '../errors';
import type { ChatRequest } from '../providers/openai-types';
import { MAX_OUTPUT_TOKENS } from '../server/request-schemas';

/** The legacy completions request, as far as the gateway reads it; other fields travel to native backends. */
export interface LegacyCompletionRequest {
  model: string;
  prompt: string | string[] | number[] | number[][];
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  echo?: boolean | null;
  logprobs?: number | null;
  suffix?: string | null;
  best_of?: number | null;
  user?: string;
  [k: string]: unknown;
}

/** Where the legacy request rides on its chat request. */
export const LEGACY_COMPLETION: unique symbol = Symbol('switchyard.legacyCompletion');

/** A chat request made from a legacy completions request. */
export type BridgedChatRequest = ChatRequest & { [LEGACY_COMPLETION]?: LegacyCompletionRequest };

/** Legacy fields only an OpenAI-compatible backend can serve, with why, for the 400 a bridged backend gives. */
export const NATIVE_ONLY_FIELDS: Record<string, string> = {
  echo: 'is only served by OpenAI-compatible backends: chat models cannot echo the prompt.',
  logprobs: 'is only served by OpenAI-compatible backends on /v1/completions.',
  suffix: 'is only served by OpenAI-compatible backends: chat models have no insertion mode.',
  best_of: 'is only served by OpenAI-compatible backends: chat models return no server-side candidates.',
};

const isNumber = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const isInteger = (v: unknown, min: number, max: number) => Number.isInteger(v) && isNumber(v, min, max);
const isTokenList = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((t) => isInteger(t, 0, 2 ** 31 - 1));

function checkPrompt(prompt: unknown): void {
  if (typeof prompt === 'string') return;
  if (Array.isArray(prompt) && prompt.length > 0 && prompt.every((p) => typeof p === 'string')) return;
  if (isTokenList(prompt)) return;
  if (Array.isArray(prompt) && prompt.length > 0 && prompt.every(isTokenList)) return;
  throw errors.completionRequestInvalid(
    prompt === undefined
      ? "Missing required parameter: 'prompt'."
      : "Invalid type for 'prompt': expected a string, an array of strings, an array of token ids or an array of token id arrays.",
    'prompt',
    prompt === undefined ? 'missing_required_parameter' : 'invalid_type',
  );
}

/**
 * Throws a 400 in OpenAI's words for a body /v1/completions cannot take.
 *
 * @example validateLegacyCompletion({ model: 'fast' }) // throws "Missing required parameter: 'prompt'."
 */
export function validateLegacyCompletion(body: unknown): LegacyCompletionRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.bodyNotObject();
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || !b.model)
    throw errors.completionRequestInvalid("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  checkPrompt(b.prompt);
  const ranges: [field: string, ok: (v: unknown) => boolean, expected: string][] = [
    ['max_tokens', (v) => isInteger(v, 1, MAX_OUTPUT_TOKENS), `an integer from 1 to ${MAX_OUTPUT_TOKENS}`],
    ['temperature', (v) => isNumber(v, 0, 2), 'a number from 0 to 2'],
    ['top_p', (v) => isNumber(v, 0, 1), 'a number from 0 to 1'],
    ['n', (v) => isInteger(v, 1, 128), 'an integer from 1 to 128'],
    ['best_of', (v) => isInteger(v, 1, 20), 'an integer from 1 to 20'],
    ['logprobs', (v) => isInteger(v, 0, 5), 'an integer from 0 to 5'],
    ['echo', (v) => typeof v === 'boolean', 'a boolean'],
    ['stream', (v) => typeof v === 'boolean', 'a boolean'],
    ['suffix', (v) => typeof v === 'string', 'a string'],
    [
      'stop',
      (v) => typeof v === 'string' || (Array.isArray(v) && v.length <= 4 && v.every((s) => typeof s === 'string')),
      'a string or an array of up to 4 strings',
    ],
    ['stream_options', (v) => typeof v === 'object' && !Array.isArray(v), 'an object'],
  ];
  for (const [field, ok, expected] of ranges) {
    const v = b[field];
    if (v !== undefined && v !== null && !ok(v)) throw errors.completionRequestInvalid(`Invalid '${field}': expected ${expected}.`, field, 'invalid_value');
  }
  return b as LegacyCompletionRequest;
}

/**
 * The chat request a legacy completion becomes: the prompt as one user message (an array of prompts joined by
 * blank lines), the sampling fields as they are, the legacy request attached for native backends.
 *
 * @example legacyToChatRequest({ model: 'fast', prompt: 'Say hi', max_tokens: 5 })
 * // { model: 'fast', messages: [{ role: 'user', content: 'Say hi' }], max_tokens: 5, [LEGACY_COMPLETION]: {...} }
 */
export function legacyToChatRequest(req: LegacyCompletionRequest): BridgedChatRequest {
  const prompt = req.prompt;
  const text = typeof prompt === 'string' ? prompt : prompt.every((p) => typeof p === 'string') ? (prompt as string[]).join('\n\n') : '';
  const out: BridgedChatRequest = { model: req.model, messages: [{ role: 'user', content: text }] };
  for (const field of ['max_tokens', 'temperature', 'top_p', 'n', 'stop', 'user', 'seed', 'presence_penalty', 'frequency_penalty', 'fallbacks'] as const) {
    if (req[field] !== undefined && req[field] !== null) (out as Record<string, unknown>)[field] = req[field];
  }
  if (req.stream === true) {
    out.stream = true;
    if (req.stream_options) out.stream_options = req.stream_options;
  }
  out[LEGACY_COMPLETION] = req;
  return out;
}

/**
 * Refuses, in OpenAI's words, what a backend without /completions cannot do: the native-only fields, more than
 * token-id prompts, n > 1. (Several text prompts are joined into one message.)
 *
 * @example checkBridgeable({ model: 'm', prompt: 'x', echo: true }) // throws 400 "'echo' is only served by …"
 */
export function checkBridgeable(req: LegacyCompletionRequest, backend: string): void {
  for (const [field, why] of Object.entries(NATIVE_ONLY_FIELDS)) {
    const v = req[field];
    if (v === undefined || v === null || v === false || (field === 'best_of' && v === 1)) continue;
    throw errors.completionFieldUnsupported(field, `${why} This model is served by ${backend}.`);
  }
  if (typeof req.n === 'number' && req.n > 1) {
    throw errors.completionFieldUnsupported(
      'n',
      `greater than 1 is only served by OpenAI-compatible backends on /v1/completions; ${backend} answers one choice per request.`,
    );
  }
  const prompt = req.prompt;
  if (Array.isArray(prompt) && prompt.some((p) => typeof p !== 'string')) {
    throw errors.completionFieldUnsupported('prompt', `as token ids is only served by OpenAI-compatible backends; send text to ${backend}.`);
  }
}
