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
 * An error with an HTTP status and OpenAI's error fields.
 *
 * @example
 * throw new GatewayError({ status: 404, type: 'invalid_request_error', code: 'model_not_found',
 *   param: 'model', message: 'Unknown model alias "gpt-5"' });
 */
export class GatewayError extends Error {
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
  // passthrough:
  unknownPassthroughProvider: () =>
    new GatewayError({
      status: 404,
      type: 'invalid_request_error',
      code: 'unknown_provider',
      message: 'Passthrough needs a configured network provider: /passthrough/{provider}/{path}.',
    }),
  providerUnavailable: (provider: string, missingEnv: string[]) =>
    new GatewayError({ status: 503, code: 'provider_unavailable', message: `Provider "${provider}" is unavailable: ${missingEnv.join(', ')} not set.` }),
  /** The upstream could not be reached or dropped the connection before answering. */
  upstreamUnreachable: (provider: string, reason: string) =>
    new GatewayError({ status: 502, type: 'upstream_error', code: 'upstream_unreachable', message: `${provider}: ${reason}` }),
  /** The upstream did not connect or answer within its timeouts. */
  upstreamTimeout: (provider: string, reason: string) =>
    new GatewayError({ status: 504, type: 'timeout_error', code: 'upstream_timeout', message: `${provider}: ${reason}` }),
  /** An answer in a content coding the gateway cannot read, so cannot redact. */
  upstreamEncodingUnsupported: (provider: string, encoding: string) =>
    new GatewayError({ status: 502, type: 'upstream_error', code: 'upstream_encoding_unsupported', message: `${provider}: answered with Content-Encoding "${encoding}", which the gateway cannot check for secrets.` }),
};
