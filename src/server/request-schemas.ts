/**
 * JSON Schemas for request bodies. They check the fields the gateway relies on and the types of well-known
 * OpenAI parameters, and let every other field through (the OpenAI adapter forwards unknown fields untouched).
 * A body that fails never goes upstream.
 */
import Ajv, { type ErrorObject } from 'ajv';
import { errors } from '../errors';

const message = {
  type: 'object',
  required: ['role'],
  properties: {
    role: { enum: ['system', 'developer', 'user', 'assistant', 'tool', 'function'] },
    // Parts must be objects with a type: adapters, the mock and routing rules all read `part.type`.
    content: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } }, { type: 'null' }] },
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
    stream_options: { anyOf: [{ type: 'object' }, { type: 'null' }] },
    temperature: { anyOf: [{ type: 'number', minimum: 0, maximum: 2 }, { type: 'null' }] },
    top_p: { anyOf: [{ type: 'number', minimum: 0, maximum: 1 }, { type: 'null' }] },
    max_tokens: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] },
    max_completion_tokens: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] },
    n: { anyOf: [{ type: 'integer', minimum: 1, maximum: 128 }, { type: 'null' }] },
    stop: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 4 }, { type: 'null' }] },
    tools: { type: 'array', items: { type: 'object', required: ['type'] } },
    fallbacks: { type: 'array', items: { type: 'string' } },
  },
} as const;

const embeddingsSchema = {
  type: 'object',
  required: ['model', 'input'],
  properties: {
    model: { type: 'string', minLength: 1 },
    fallbacks: { type: 'array', items: { type: 'string' } },
    input: { anyOf: [{ type: 'string' }, { type: 'array', minItems: 1 }] },
  },
} as const;

const ajv = new Ajv({ allErrors: false, strict: false });
const validators = { chat: ajv.compile(chatSchema), embeddings: ajv.compile(embeddingsSchema) };

function describe(e: ErrorObject | undefined): { message: string; param: string | null } {
  if (!e) return { message: 'Invalid request body.', param: null };
  const param = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : null;
  if (e.keyword === 'required') {
    const field = String((e.params as { missingProperty: string }).missingProperty);
    return { message: `Missing required parameter: '${param ? `${param}.` : ''}${field}'.`, param: param ? `${param}.${field}` : field };
  }
  return { message: `Invalid value for '${param ?? 'body'}': ${e.message ?? 'is invalid'}.`, param };
}

/**
 * Throws a 400 GatewayError when the body does not fit.
 *
 * @example validateBody('chat', req.body)
 */
export function validateBody(kind: keyof typeof validators, body: unknown): void {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('The request body must be a JSON object.');
  const check = validators[kind];
  if (!check(body)) {
    const d = describe(check.errors?.[0]);
    throw errors.badRequest(d.message, d.param, 'invalid_request_body');
  }
}
