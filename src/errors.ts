/**
 * The one error type of the gateway. Every failure a client can see is a GatewayError, and it becomes the
 * OpenAI error shape `{"error":{"message","type","param","code"}}` in exactly one place (`toOpenAIErrorBody`).
 */

/** OpenAI's `error.type` values that Switchyard uses. */
export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
  | 'upstream_error'
  | 'timeout_error'
  | 'service_unavailable'
  | 'server_error';

export interface GatewayErrorInit {
  status: number;
  message: string;
  type?: OpenAIErrorType;
  code?: string | null;
  param?: string | null;
  /** Extra response headers, e.g. `retry-after` on a 429. */
  headers?: Record<string, string>;
}

/**
 * Marks a GatewayError of any copy of this package. A plugin that installs its own copy of `switchyard` throws
 * that copy's class; `instanceof` compares this brand instead of the prototype, so the gateway still knows the
 * error (the pattern of undici's lib/core/errors.js). The key must never change: old copies carry it too.
 */
const GATEWAY_ERROR = Symbol.for('switchyard.error.GatewayError');

/**
 * An error with an HTTP status and OpenAI's error fields. Prefer a named factory from `errors`.
 *
 * @example
 * throw errors.badRequest('messages must not be empty', 'messages');
 * if (err instanceof GatewayError) res.status(err.status); // true for a GatewayError of any package copy
 */
export class GatewayError extends Error {
  readonly [GATEWAY_ERROR] = true;

  /** True for a GatewayError made by any copy of the package, not only by this one. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[GATEWAY_ERROR] === true;
  }

  readonly status: number;
  readonly type: OpenAIErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(init: GatewayErrorInit) {
    super(init.message);
    this.name = 'GatewayError';
    this.status = init.status;
    this.type = init.type ?? defaultTypeFor(init.status);
    this.code = init.code ?? null;
    this.param = init.param ?? null;
    this.headers = init.headers ?? {};
  }
}

function defaultTypeFor(status: number): OpenAIErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 503) return 'service_unavailable';
  if (status === 504) return 'timeout_error';
  if (status === 502) return 'upstream_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** The JSON body a client receives for an error. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Turns any thrown value into a GatewayError; unknown values become a 500 whose message hides internals. */
export function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError({ status: 500, type: 'server_error', code: 'internal_error', message: 'Internal gateway error' });
}

/** @example res.status(e.status).json(toOpenAIErrorBody(e)) */
export function toOpenAIErrorBody(err: GatewayError): OpenAIErrorBody {
  return { error: { message: err.message, type: err.type, param: err.param, code: err.code } };
}

/** Shorthands for the errors the gateway raises itself, so each status has one wording. */
export const errors = {
  badRequest: (message: string, param: string | null = null, code: string | null = null) =>
    new GatewayError({ status: 400, type: 'invalid_request_error', message, param, code }),
  unknownAlias: (alias: string) =>
    new GatewayError({
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: 'model',
      message: `The model "${alias}" does not exist on this gateway. GET /v1/models lists the available aliases.`,
    }),
  bodyTooLarge: (limitBytes: number) =>
    new GatewayError({
      status: 413,
      type: 'invalid_request_error',
      code: 'request_too_large',
      message: `Request body exceeds the limit of ${limitBytes} bytes.`,
    }),
  pluginFailed: (plugin: string) =>
    new GatewayError({
      status: 500,
      type: 'server_error',
      code: 'plugin_error',
      message: `Plugin "${plugin}" failed while handling this request; see the gateway log for details.`,
    }),
  // api:
  /** A plugin hook did not settle within server.plugin_hook_timeout_ms. */
  pluginTimeout: (plugin: string, hook: string, timeoutMs: number) =>
    new GatewayError({
      status: 500,
      type: 'server_error',
      code: 'plugin_timeout',
      message: `Plugin "${plugin}" did not finish its ${hook} hook within ${timeoutMs} ms (server.plugin_hook_timeout_ms).`,
    }),
  /** An admin route was called but no admin_key is configured. */
  adminDisabled: () =>
    new GatewayError({ status: 403, type: 'permission_error', code: 'admin_disabled', message: 'Admin endpoints are disabled: set admin_key on the auth plugin.' }),
  /** An admin route was called without the admin key. */
  adminKeyRequired: (route: string) =>
    new GatewayError({ status: 401, type: 'authentication_error', code: 'invalid_admin_key', message: `${route} needs the admin key (Authorization: Bearer <admin_key>).` }),
  /** A rate limit of the gateway itself (not the upstream's) turned the request away. */
  rateLimitExceeded: (message: string, retryAfterS: number, headers: Record<string, string> = {}) =>
    new GatewayError({ status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', message, headers: { ...headers, 'retry-after': String(retryAfterS) } }),
  /** The caller's key spent its budget for the period. */
  budgetExhausted: (message: string) => new GatewayError({ status: 429, type: 'insufficient_quota', code: 'insufficient_quota', message }),
  /** The spend sink cannot be read for GET /admin/spend. */
  spendSinkUnavailable: (message: string) => new GatewayError({ status: 503, code: 'spend_sink_unavailable', message }),
};
