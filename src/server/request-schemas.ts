/**
 * JSON Schemas for request bodies. They check the fields the gateway relies on and the types of well-known
 * OpenAI parameters, and let every other field through (the OpenAI adapter forwards unknown fields untouched).
 * Every number the gateway reads has bounds: JSON's `1e999` parses to Infinity, which ajv counts as an integer,
 * and an unbounded count would reach the token estimate and the rate limits. A body that fails never goes upstream.
 */
import Ajv, { type ErrorObject } from 'ajv';
import { errors } from '../errors';

/**
 * Largest `max_tokens` / `max_completion_tokens` accepted (Anthropic's front door too): above every model's
 * output limit today (the largest is 128k), so no request a provider would take is refused, and small enough that
 * the rate limits' arithmetic stays exact.
 */
export const MAX_OUTPUT_TOKENS = 1_000_000;
/** Embedding inputs per request and token id ceiling (OpenAI: 2,048 inputs; vocabularies are far below 2^31). */
export const MAX_EMBEDDING_INPUTS = 2048;
const MAX_TOKEN_ID = 2 ** 31 - 1;

const outputTokens = {
  'x-expected': `an integer from 1 to ${MAX_OUTPUT_TOKENS} or null`,
  anyOf: [{ type: 'integer', minimum: 1, maximum: MAX_OUTPUT_TOKENS }, { type: 'null' }],
};
const numberOrNull = (minimum: number, maximum: number) => ({
  'x-expected': `a number from ${minimum} to ${maximum} or null`,
  anyOf: [{ type: 'number', minimum, maximum }, { type: 'null' }],
});
const integerOrNull = (minimum: number, maximum: number) => ({
  'x-expected': `an integer from ${minimum} to ${maximum} or null`,
  anyOf: [{ type: 'integer', minimum, maximum }, { type: 'null' }],
});

const message = {
  type: 'object',
  'x-expected': 'an object',
  required: ['role'],
  properties: {
    role: { enum: ['system', 'developer', 'user', 'assistant', 'tool', 'function'] },
    // Parts must be objects with a type: adapters, the mock and routing rules all read `part.type`.
    content: {
      'x-expected': 'a string, an array of content parts or null',
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } }, { type: 'null' }],
    },
    tool_calls: { type: 'array' },
    tool_call_id: { type: 'string' },
    name: { type: 'string' },
  },
} as const;

const chatSchema = {
  type: 'object',
  required: ['model', 'messages'],
  properties: {
    model: { type: 'string', minLength: 1 },
    messages: { type: 'array', minItems: 1, items: message },
    stream: { type: 'boolean' },
    stream_options: { 'x-expected': 'an object or null', anyOf: [{ type: 'object' }, { type: 'null' }] },
    temperature: numberOrNull(0, 2),
    top_p: numberOrNull(0, 1),
    presence_penalty: numberOrNull(-2, 2),
    frequency_penalty: numberOrNull(-2, 2),
    max_tokens: outputTokens,
    max_completion_tokens: outputTokens,
    n: integerOrNull(1, 128),
    top_logprobs: integerOrNull(0, 20),
    seed: integerOrNull(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    logit_bias: {
      'x-expected': 'an object of token ids to numbers from -100 to 100, or null',
      anyOf: [{ type: 'object', additionalProperties: { type: 'number', minimum: -100, maximum: 100 } }, { type: 'null' }],
    },
    stop: {
      'x-expected': 'a string, an array of up to 4 strings, or null',
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 4 }, { type: 'null' }],
    },
    tools: { type: 'array', maxItems: 128, items: { type: 'object', required: ['type'] } },
    fallbacks: { type: 'array', items: { type: 'string' } },
  },
} as const;

const tokenId = { type: 'integer', minimum: 0, maximum: MAX_TOKEN_ID };

const embeddingsSchema = {
  type: 'object',
  required: ['model', 'input'],
  properties: {
    model: { type: 'string', minLength: 1 },
    fallbacks: { type: 'array', items: { type: 'string' } },
    input: {
      'x-expected': 'a string, an array of strings, an array of token ids or an array of token id arrays',
      anyOf: [
        { type: 'string' },
        { type: 'array', minItems: 1, maxItems: MAX_EMBEDDING_INPUTS, items: { type: 'string' } },
        { type: 'array', minItems: 1, items: tokenId },
        { type: 'array', minItems: 1, maxItems: MAX_EMBEDDING_INPUTS, items: { type: 'array', minItems: 1, items: tokenId } },
      ],
    },
    dimensions: integerOrNull(1, 65_536),
    encoding_format: { enum: ['float', 'base64', null] },
  },
} as const;

// verbose: errors carry the failing value and their schema, for messages that say what was expected and got.
const ajv = new Ajv({ allErrors: false, strict: false, verbose: true });
/**
 * The chat request the Anthropic front door made: Anthropic's own limits already held (frontdoor/
 * anthropic-request.ts), so OpenAI's are not applied on top (Anthropic takes more than 4 stop sequences).
 */
const messagesChatSchema = {
  ...chatSchema,
  properties: { ...chatSchema.properties, stop: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, { type: 'null' }] } },
};
const validators = { chat: ajv.compile(chatSchema), messages: ajv.compile(messagesChatSchema), embeddings: ajv.compile(embeddingsSchema) };

interface Described {
  message: string;
  param: string | null;
  code: string;
}

const pathOf = (e: ErrorObject): string => e.instancePath.slice(1).replace(/\//g, '.');

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isFinite(value) ? (Number.isInteger(value) ? 'an integer' : 'a decimal') : `${value}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function rangeMessage(e: ErrorObject): Described {
  const param = pathOf(e);
  const limit = (e.params as { limit: number }).limit;
  const integer = (e.parentSchema as { type?: string } | undefined)?.type === 'integer';
  if (e.keyword === 'maxItems' || e.keyword === 'minItems') {
    const above = e.keyword === 'maxItems';
    const got = Array.isArray(e.data) ? e.data.length : 0;
    return {
      param,
      code: above ? 'array_above_max_length' : 'array_below_min_length',
      message: `Invalid '${param}': array too ${above ? 'long' : 'short'}. Expected an array with ${above ? 'maximum' : 'minimum'} length ${limit}, but got an array with length ${got} instead.`,
    };
  }
  const above = e.keyword === 'maximum';
  const what = integer ? 'integer' : 'decimal';
  return {
    param,
    code: `${what}_${above ? 'above_max' : 'below_min'}_value`,
    message: `Invalid '${param}': ${what} ${above ? 'above maximum' : 'below minimum'} value. Expected a value ${above ? '<=' : '>='} ${limit}, but got ${String(e.data)} instead.`,
  };
}

/**
 * One error in OpenAI's words. Within an `anyOf` ajv reports every branch's failure, then the anyOf itself: a
 * range or length failure means the type was right (that branch's message is the useful one), a missing field
 * is named as such, else the value had the wrong type and the anyOf's `x-expected` says what would do.
 */
function describe(list: readonly ErrorObject[]): Described {
  const last = list[list.length - 1];
  if (!last) return { message: 'Invalid request body.', param: null, code: 'invalid_request_body' };
  const range = list.find((e) => ['maximum', 'minimum', 'maxItems', 'minItems'].includes(e.keyword));
  if (range) return rangeMessage(range);
  const required = list.find((e) => e.keyword === 'required');
  if (required) {
    const at = pathOf(required);
    const field = `${at ? `${at}.` : ''}${String((required.params as { missingProperty: string }).missingProperty)}`;
    return { message: `Missing required parameter: '${field}'.`, param: field, code: 'missing_required_parameter' };
  }
  const param = pathOf(last) || null;
  if (last.keyword === 'enum') {
    const allowed = (last.params as { allowedValues: unknown[] }).allowedValues.map((v) => `'${String(v)}'`).join(', ');
    return { message: `Invalid value: '${String(last.data)}'. Supported values for '${param}' are: ${allowed}.`, param, code: 'invalid_value' };
  }
  if (last.keyword === 'minLength')
    return { message: `Invalid '${param}': empty string. Expected a string with minimum length 1.`, param, code: 'empty_string' };
  // The deepest failure points at the element that is wrong, e.g. 'input.0' for {"input":[null]}.
  const deepest = list.reduce((a, b) => (b.instancePath.length > a.instancePath.length ? b : a));
  const type = String((last.params as { type?: string }).type ?? 'valid value');
  const expected = (last.parentSchema as { 'x-expected'?: string } | undefined)?.['x-expected'] ?? `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
  const where = deepest.instancePath.length > last.instancePath.length ? ` ('${pathOf(deepest)}' is ${kindOf(deepest.data)})` : ` instead`;
  return { message: `Invalid type for '${param ?? 'body'}': expected ${expected}, but got ${kindOf(last.data)}${where}.`, param, code: 'invalid_type' };
}

/**
 * Throws a 400 GatewayError when the body does not fit.
 *
 * @example validateBody('chat', req.body)
 */
export function validateBody(kind: keyof typeof validators, body: unknown): void {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.bodyNotObject();
  const check = validators[kind];
  if (!check(body)) {
    const d = describe(check.errors ?? []);
    throw errors.requestSchemaViolation(d.message, d.param, d.code);
  }
}
