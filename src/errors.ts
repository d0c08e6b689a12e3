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
  // http:
  /** Every route's answer while the daemon drains on SIGTERM. */
  draining: () => new GatewayError({ status: 503, code: 'shutting_down', message: 'The gateway is shutting down; retry on another instance.' }),
  unsupportedMediaType: () =>
    new GatewayError({ status: 415, type: 'invalid_request_error', code: 'unsupported_media_type', message: 'Send the body as JSON with Content-Type: application/json.' }),
  unsupportedEncoding: (encoding: string) =>
    new GatewayError({ status: 415, type: 'invalid_request_error', code: 'unsupported_encoding', message: `Unsupported Content-Encoding ${JSON.stringify(encoding.slice(0, 40))}; send identity, gzip, deflate or br.` }),
  notFound: () =>
    new GatewayError({
      status: 404,
      type: 'invalid_request_error',
      code: 'not_found',
      message: 'Unknown endpoint. Switchyard serves /v1/chat/completions, /v1/messages, /v1/embeddings, /v1/models, /health/* and /passthrough/{provider}/*.',
    }),
  /** `allow` is the path's methods, e.g. "POST"; it also goes out as the Allow header. */
  methodNotAllowed: (allow: string) =>
    new GatewayError({ status: 405, type: 'invalid_request_error', code: 'method_not_allowed', message: `This endpoint accepts ${allow} only.`, headers: { allow } }),
  metricsDisabled: () => new GatewayError({ status: 404, type: 'invalid_request_error', code: 'not_found', message: 'Metrics are disabled (server.metrics.enabled: false).' }),
  metricsNeedAdminKey: () =>
    new GatewayError({ status: 401, type: 'authentication_error', code: 'invalid_admin_key', message: 'GET /metrics needs the admin key (Authorization: Bearer <admin_key>).' }),
  upstreamStreamFailed: (detail: string) =>
    new GatewayError({ status: 502, type: 'upstream_error', code: 'upstream_stream_failed', message: `Upstream stream failed after it started: ${detail}` }),
};
