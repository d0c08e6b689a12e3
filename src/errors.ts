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
  // redact: routing's answers. Upstream words reach them only through routing's AttemptFailure, already redacted.
  clientClosedRequest: () =>
    new GatewayError({ status: 499, type: 'invalid_request_error', code: 'client_closed_request', message: 'Client closed the request' }),
  routingTimeout: (alias: string, timeoutMs: number, attempts: number) =>
    new GatewayError({
      status: 504,
      type: 'timeout_error',
      code: 'routing_timeout',
      message: `Model "${alias}" found no answer within its timeout_ms of ${timeoutMs} ms (${attempts} attempt(s)).`,
    }),
  /** An upstream's own error that another target would not change (a 400 for the prompt): passed on as normalised. */
  upstreamError: (info: { status: number; type: string; code: string | null; message: string }) =>
    new GatewayError({ status: info.status, type: info.type as OpenAIErrorType, code: info.code, message: info.message }),
  /** Every target was skipped (unavailable or cooling down); `retryAfterS` when a cooldown ends. */
  noAvailableTarget: (alias: string, attempts: number, summary: string, retryAfterS?: number) =>
    new GatewayError({
      status: 503,
      code: 'no_available_target',
      message: `All ${attempts} attempt(s) for model "${alias}" failed: ${summary}`,
      headers: retryAfterS === undefined ? {} : { 'retry-after': String(retryAfterS) },
    }),
  allTargetsTimedOut: (alias: string, attempts: number, summary: string) =>
    new GatewayError({ status: 504, code: 'upstream_timeout', message: `All ${attempts} attempt(s) for model "${alias}" failed: ${summary}` }),
  allTargetsRateLimited: (alias: string, attempts: number, summary: string, retryAfterS: number) =>
    new GatewayError({
      status: 429,
      code: 'rate_limit_exceeded',
      message: `All ${attempts} attempt(s) for model "${alias}" failed: ${summary}`,
      headers: { 'retry-after': String(retryAfterS) },
    }),
  allTargetsFailed: (alias: string, attempts: number, summary: string) =>
    new GatewayError({ status: 502, code: 'all_targets_failed', message: `All ${attempts} attempt(s) for model "${alias}" failed: ${summary}` }),
  noRouteMatched: (alias: string) =>
    new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'no_route_matched',
      param: 'model',
      message: `No route rule of model "${alias}" matches this request, and it has no default rule.`,
    }),
  fallbackNotAllowed: (alias: string) =>
    new GatewayError({
      status: 403,
      type: 'permission_error',
      code: 'model_not_allowed',
      param: 'fallbacks',
      message: `This key may not use the model "${alias}" named in "fallbacks".`,
    }),
  // transport:
  /** An upstream answer (declared or read so far) over the provider's `max_answer_mb`; the rest is not read. */
  upstreamAnswerTooLarge: (provider: string, limitBytes: number) =>
    new GatewayError({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_answer_too_large',
      message: `${provider}: the upstream answer is larger than the limit of ${limitBytes} bytes (providers.${provider}.max_answer_mb).`,
    }),
  /** Buffered upstream answers across all attempts would pass `server.max_buffered_upstream_mb`. */
  upstreamBufferFull: (provider: string, limitBytes: number) =>
    new GatewayError({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_buffer_full',
      message: `${provider}: the gateway is already holding its limit of ${limitBytes} bytes of upstream answers (server.max_buffered_upstream_mb); try again shortly.`,
    }),
  /** Every connection of the provider's pool is busy and its wait queue is full. */
  upstreamQueueFull: (provider: string, connections: number, maxQueued: number) =>
    new GatewayError({
      status: 503,
      type: 'service_unavailable',
      code: 'upstream_queue_full',
      message: `${provider}: all ${connections} connections are busy and the wait queue is full (${maxQueued} waiting; providers.${provider}.max_connections, max_queued).`,
    }),
  /** A request waited its provider's `queue_timeout_ms` for a free connection and got none. */
  upstreamQueueTimeout: (provider: string, queueTimeoutMs: number) =>
    new GatewayError({
      status: 503,
      type: 'service_unavailable',
      code: 'upstream_queue_timeout',
      message: `${provider}: no connection became free within ${queueTimeoutMs} ms (providers.${provider}.queue_timeout_ms).`,
    }),
  /** Every target of a model was refused by its provider's full pool, and nothing else was left to try. */
  upstreamPoolsBusy: (alias: string, summary: string) =>
    new GatewayError({
      status: 503,
      type: 'service_unavailable',
      code: 'upstream_pools_busy',
      message: `Model "${alias}": every provider connection pool is busy; try again shortly. ${summary}`,
      headers: { 'retry-after': '1' },
    }),
  /** Every attempt of a model read an answer over the memory limits (the same code as each attempt's). */
  upstreamAnswersRefused: (code: 'upstream_answer_too_large' | 'upstream_buffer_full', alias: string, summary: string) =>
    new GatewayError({
      status: 502,
      type: 'upstream_error',
      code,
      message: `Model "${alias}": ${code === 'upstream_answer_too_large' ? 'the upstream answer was over its size limit' : "the gateway's buffer for upstream answers is full; try again shortly"}. ${summary}`,
    }),
  // numbers:
  /** A body that is not a JSON object at all (an array, a string, null). */
  bodyNotObject: () =>
    new GatewayError({ status: 400, type: 'invalid_request_error', code: 'invalid_request_body', message: 'The request body must be a JSON object.' }),
  /** A body failing the OpenAI request schema; `code` is OpenAI's for the failure (invalid_type, integer_above_max_value, …). */
  requestSchemaViolation: (message: string, param: string | null, code: string) =>
    new GatewayError({ status: 400, type: 'invalid_request_error', message, param, code }),
  /** A Messages request Anthropic's API would refuse, worded as Anthropic words it: "<field>: <problem>". */
  messagesRequestInvalid: (field: string, problem: string) =>
    new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_messages_request',
      param: field || null,
      message: `${field || 'body'}: ${problem}`,
    }),
  /** Valid for Anthropic's own API, but not something the front door can translate for other providers. */
  unsupportedOnGateway: (message: string, param: string) =>
    new GatewayError({ status: 400, type: 'invalid_request_error', code: 'unsupported_on_gateway', param, message }),
  // streams:
  /** An upstream stream chunk the gateway refuses to use (a hostile or broken tool-call or choice index, say). */
  badUpstreamChunk: (reason: string) =>
    new GatewayError({
      status: 502,
      type: 'upstream_error',
      code: 'bad_upstream_stream',
      message: `The upstream sent a stream chunk the gateway refuses: ${reason}.`,
    }),
  // http:
  /** Every route's answer while the daemon drains on SIGTERM. */
  draining: () => new GatewayError({ status: 503, code: 'shutting_down', message: 'The gateway is shutting down; retry on another instance.' }),
  unsupportedMediaType: () =>
    new GatewayError({
      status: 415,
      type: 'invalid_request_error',
      code: 'unsupported_media_type',
      message: 'Send the body as JSON with Content-Type: application/json.',
    }),
  unsupportedEncoding: (encoding: string) =>
    new GatewayError({
      status: 415,
      type: 'invalid_request_error',
      code: 'unsupported_encoding',
      message: `Unsupported Content-Encoding ${JSON.stringify(encoding.slice(0, 40))}; send identity, gzip, deflate or br.`,
    }),
  notFound: () =>
    new GatewayError({
      status: 404,
      type: 'invalid_request_error',
      code: 'not_found',
      message: 'Unknown endpoint. Switchyard serves /v1/chat/completions, /v1/messages, /v1/embeddings, /v1/models, /health/* and /passthrough/{provider}/*.',
    }),
  /** `allow` is the path's methods, e.g. "POST"; it also goes out as the Allow header. */
  methodNotAllowed: (allow: string) =>
    new GatewayError({
      status: 405,
      type: 'invalid_request_error',
      code: 'method_not_allowed',
      message: `This endpoint accepts ${allow} only.`,
      headers: { allow },
    }),
  metricsDisabled: () =>
    new GatewayError({ status: 404, type: 'invalid_request_error', code: 'not_found', message: 'Metrics are disabled (server.metrics.enabled: false).' }),
  metricsNeedAdminKey: () =>
    new GatewayError({
      status: 401,
      type: 'authentication_error',
      code: 'invalid_admin_key',
      message: 'GET /metrics needs the admin key (Authorization: Bearer <admin_key>).',
    }),
  upstreamStreamFailed: (detail: string) =>
    new GatewayError({ status: 502, type: 'upstream_error', code: 'upstream_stream_failed', message: `Upstream stream failed after it started: ${detail}` }),
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
    new GatewayError({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_encoding_unsupported',
      message: `${provider}: answered with Content-Encoding "${encoding}", which the gateway cannot check for secrets.`,
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
    new GatewayError({
      status: 403,
      type: 'permission_error',
      code: 'admin_disabled',
      message: 'Admin endpoints are disabled: set admin_key on the auth plugin.',
    }),
  /** An admin route was called without the admin key. */
  adminKeyRequired: (route: string) =>
    new GatewayError({
      status: 401,
      type: 'authentication_error',
      code: 'invalid_admin_key',
      message: `${route} needs the admin key (Authorization: Bearer <admin_key>).`,
    }),
  /** A rate limit of the gateway itself (not the upstream's) turned the request away. */
  rateLimitExceeded: (message: string, retryAfterS: number, headers: Record<string, string> = {}) =>
    new GatewayError({
      status: 429,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      message,
      headers: { ...headers, 'retry-after': String(retryAfterS) },
    }),
  /** The caller's key spent its budget for the period. */
  budgetExhausted: (message: string) => new GatewayError({ status: 429, type: 'insufficient_quota', code: 'insufficient_quota', message }),
  /** The spend sink cannot be read for GET /admin/spend. */
  spendSinkUnavailable: (message: string) => new GatewayError({ status: 503, code: 'spend_sink_unavailable', message }),
  // auth: the auth plugin's refusals.
  missingApiKey: () =>
    new GatewayError({
      status: 401,
      type: 'authentication_error',
      code: 'invalid_api_key',
      message: 'Missing API key. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".',
    }),
  invalidApiKey: () => new GatewayError({ status: 401, type: 'authentication_error', code: 'invalid_api_key', message: 'Invalid API key.' }),
  passthroughNotAllowed: (keyName: string) =>
    new GatewayError({
      status: 403,
      type: 'permission_error',
      code: 'passthrough_not_allowed',
      message: `The key "${keyName}" may not use /passthrough (it needs models: ["*"]).`,
    }),
  modelNotAllowed: (keyName: string, alias: string) =>
    new GatewayError({
      status: 403,
      type: 'permission_error',
      code: 'model_not_allowed',
      param: 'model',
      message: `The key "${keyName}" may not use the model "${alias}".`,
    }),
  // polish:
  /** A JSON body holding more objects, arrays and object keys than server.max_json_nodes (parsing it would stall the process). */
  jsonTooManyNodes: (maxNodes: number) =>
    new GatewayError({
      status: 413,
      type: 'invalid_request_error',
      code: 'json_too_many_nodes',
      message: `The request body holds more than ${maxNodes} JSON objects, arrays and keys (server.max_json_nodes).`,
    }),
  // count:
  /** Anthropic refused a count_tokens request as malformed: its (redacted) words, as a 400 in its own terms. */
  countTokensRefused: (message: string) => new GatewayError({ status: 400, type: 'invalid_request_error', code: 'count_tokens_refused', message }),
  // response store (R2): GET/DELETE /v1/responses/{id}, input_items, input_tokens, previous_response_id.
  /** A stored response that is missing, expired, or another key's: OpenAI's 404 (it does not say which, so ids of other keys do not leak). */
  responseNotFound: (id: string, storageOff = false) =>
    new GatewayError({
      status: 404,
      type: 'invalid_request_error',
      code: null,
      message: `Response with id '${id.slice(0, 200)}' not found.${storageOff ? ' (Response storage is off: responses.enabled is false.)' : ''}`,
    }),
  /** `previous_response_id` names a response this key cannot read (missing, expired, another key's): OpenAI's 400. */
  previousResponseNotFound: (id: string) =>
    new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'previous_response_not_found',
      param: 'previous_response_id',
      message: `Previous response with id '${id.slice(0, 200)}' not found.`,
    }),
  /** A conversation chain longer than the gateway walks (a loop in stored data, or a runaway client). */
  conversationTooLong: (maxTurns: number) =>
    new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'conversation_too_long',
      param: 'previous_response_id',
      message: `The conversation behind previous_response_id is longer than ${maxTurns} turns; start a new one, or send the items you need as input.`,
    }),
  /** The configured response store (responses.store) did not answer; the detail goes to the log only. */
  responseStoreUnavailable: (kind: string) =>
    new GatewayError({
      status: 503,
      code: 'response_store_unavailable',
      message: `The response store (${kind}) is unavailable; retry shortly.`,
    }),
  /** A Responses API feature the gateway does not implement (background mode, cancel): refused naming the field. */
  responsesFeatureUnsupported: (message: string, param: string | null) =>
    new GatewayError({ status: 400, type: 'invalid_request_error', code: 'unsupported_parameter', param, message }),
  /** A query parameter of a list endpoint out of range or malformed (limit, order, after). */
  badQueryParameter: (param: string, problem: string) =>
    new GatewayError({ status: 400, type: 'invalid_request_error', code: 'invalid_value', param, message: `Invalid '${param}': ${problem}` }),
  // responses (R1): POST /v1/responses, its request translation and its conversation state.
  /** A /v1/responses body field of the wrong shape; `param` is its path, e.g. `input[2].content[0].image_url`. */
  responsesRequestInvalid: (param: string, problem: string) =>
    new GatewayError({ status: 400, type: 'invalid_request_error', code: 'invalid_request', param, message: `Invalid '${param}': ${problem}` }),
  /** A top-level /v1/responses field the Responses API does not have (OpenAI refuses it the same way). */
  responsesUnknownParameter: (param: string) =>
    new GatewayError({ status: 400, type: 'invalid_request_error', code: 'unknown_parameter', param, message: `Unknown parameter: '${param}'.` }),
  /**
   * A Responses feature the model's backends cannot do: they are reached through Chat Completions (hosted tools,
   * hosted tool choices, some `include` values…). Refused rather than dropped, so the client knows.
   */
  responsesUnsupported: (param: string, what: string) =>
    new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'unsupported_parameter',
      param,
      message: `${what} The backends of this model are served through Chat Completions, which cannot do it; use a provider configured with \`responses: native\` (OpenAI, Azure OpenAI).`,
    }),
  /** An `item_reference` to an item the store does not hold for this caller. */
  itemReferenceNotFound: (param: string, id: string) =>
    new GatewayError({ status: 400, type: 'invalid_request_error', code: 'item_not_found', param, message: `Item with id '${id.slice(0, 200)}' not found.` }),
  /** A native Responses backend answered with something that is not a Response object or stream. */
  badNativeResponse: (provider: string, problem: string) =>
    new GatewayError({
      status: 502,
      type: 'upstream_error',
      code: 'bad_upstream_response',
      message: `Provider "${provider}" sent an unreadable Responses answer: ${problem}`,
    }),
  // feedback: POST /v1/feedback (src/server/routes/feedback.ts, src/feedback/)
  /**
   * A rating for a request the gateway does not know (never served here, older than feedback.rateable_h, or made
   * with another key: a key sees only its own requests).
   */
  feedbackRequestUnknown: (requestId: string) =>
    new GatewayError({
      status: 404,
      type: 'not_found_error',
      code: 'feedback_request_not_found',
      param: 'request_id',
      message: `No served request "${requestId.slice(0, 100)}" can be rated by this key (unknown to it, or older than feedback.rateable_h).`,
    }),
  feedbackAlreadyGiven: (requestId: string) =>
    new GatewayError({
      status: 409,
      type: 'invalid_request_error',
      code: 'feedback_already_recorded',
      param: 'request_id',
      message: `The request "${requestId.slice(0, 100)}" has already been rated; each request takes one rating.`,
    }),
  feedbackStoreUnavailable: () =>
    new GatewayError({
      status: 503,
      type: 'service_unavailable',
      code: 'feedback_store_unavailable',
      message: 'The feedback store is unavailable; the rating was not recorded. Try again later.',
    }),
  feedbackDisabled: () =>
    new GatewayError({
      status: 404,
      type: 'not_found_error',
      code: 'feedback_disabled',
      message: 'Feedback is not enabled on this gateway (add a `feedback:` section to proxy.yaml).',
    }),
  // translation (T): legacy completions, the translation of chat fields, and the final error of overloaded or unknown models.
  /** Every target that was called answered that it is overloaded (Anthropic 529, HTTP 503, Gemini UNAVAILABLE). */
  allTargetsOverloaded: (alias: string, attempts: number, summary: string) =>
    new GatewayError({
      status: 503,
      type: 'service_unavailable',
      code: 'upstream_overloaded',
      message: `Every provider of model "${alias}" is overloaded; try again shortly. All ${attempts} attempt(s) failed: ${summary}`,
      headers: { 'retry-after': '1' },
    }),
  /** Every target that was called answered that its model does not exist upstream. */
  upstreamModelNotFound: (alias: string, attempts: number, summary: string) =>
    new GatewayError({
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: 'model',
      message: `No provider of model "${alias}" knows its upstream model. All ${attempts} attempt(s) failed: ${summary}`,
    }),
  /** A legacy completions field that only OpenAI-compatible backends can serve, sent to a bridged one. */
  completionFieldUnsupported: (field: string, detail: string) =>
    new GatewayError({ status: 400, type: 'invalid_request_error', code: 'unsupported_parameter', param: field, message: `'${field}' ${detail}` }),
  /** A POST /v1/completions body that is not a legacy completions request. */
  completionRequestInvalid: (message: string, param: string | null, code = 'invalid_request_body') =>
    new GatewayError({ status: 400, type: 'invalid_request_error', code, param, message }),
  // budgets (issue 15, M3): refusals of the cost-log plugin's budget reservations.
  /**
   * The key's spend for the period could not be restored from the spend sink (it is down): the budget is
   * enforced closed until it is, since counting from zero would hand the key a fresh budget.
   */
  budgetUnrestored: (keyName: string, period: string) =>
    new GatewayError({
      status: 503,
      code: 'budget_unavailable',
      message: `The ${period} budget of the key "${keyName}" cannot be checked: its spend could not be read from the spend store. Retry shortly.`,
    }),
  /** A key with a budget asked for a model that has no price, so its spend could not be counted. */
  budgetModelUnpriced: (keyName: string, model: string) =>
    new GatewayError({
      status: 403,
      type: 'permission_error',
      code: 'model_not_priced',
      param: 'model',
      message: `The key "${keyName}" has a budget, and the model "${model}" has no price, so its cost could not be counted against it. Add a price for it under \`pricing:\`, or set \`allow_unpriced: true\` on the key.`,
    }),

  // ---- dashboard (src/dashboard/) ----
  /** The dashboard is off (server.dashboard.enabled is not true): its paths do not exist. */
  dashboardDisabled: () =>
    new GatewayError({
      status: 404,
      type: 'not_found_error',
      code: 'dashboard_disabled',
      message: 'The dashboard is not enabled on this gateway (set server.dashboard.enabled: true in proxy.yaml).',
    }),
  /** A dashboard data request without a live session cookie. */
  dashboardLoginRequired: () =>
    new GatewayError({
      status: 401,
      type: 'authentication_error',
      code: 'dashboard_login_required',
      message: 'Log in to the dashboard first (POST the admin key to /ui/login); the session may have expired.',
    }),
  /** The login form carried something other than a small urlencoded or JSON body. */
  dashboardBadLogin: (why: string) =>
    new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'dashboard_bad_login',
      param: 'key',
      message: `The dashboard login needs a form field "key" with the admin key: ${why}.`,
    }),
  /** A request id the Requests page no longer holds. */
  dashboardRequestUnknown: (id: string) =>
    new GatewayError({
      status: 404,
      type: 'not_found_error',
      code: 'dashboard_request_not_found',
      param: 'id',
      message: `No recent request "${id.slice(0, 100)}" (unknown, or older than the ring of recent requests).`,
    }), // ---- workers (issue 19, item 4; src/cluster/) ----
  /**
   * With `--workers`, the primary keeps the budget counters of every worker and did not answer: spend that cannot
   * be counted is not admitted.
   */
  budgetCountersUnreachable: () =>
    new GatewayError({
      status: 503,
      code: 'budget_unavailable',
      message: "Budgets cannot be checked right now: the gateway's primary process, which counts the spend of every worker, did not answer. Retry shortly.",
    }),
  // ── Dashboard login throttling (issue 18, helper "providers") ──
  /** Too many wrong keys from one client address within the window (dashboard/login-throttle.ts). */
  dashboardLoginThrottled: (retryAfterS: number) =>
    new GatewayError({
      status: 429,
      type: 'rate_limit_error',
      code: 'dashboard_login_throttled',
      message: `Too many failed dashboard logins from this address. Try again in ${retryAfterS} s.`,
      headers: { 'retry-after': String(retryAfterS) },
    }),
  // ── Budget settlements waiting for Redis (session 3 review fix; src/stores/spend-counters.ts) ──
  /**
   * Redis has been away long enough that spend of more budget counters than the cap waits to be delivered: new
   * requests with a budget are refused rather than let the backlog grow without bound.
   */
  budgetSettlementsBacklogged: (cap: number) =>
    new GatewayError({
      status: 503,
      code: 'budget_unavailable',
      message: `Budgets cannot be checked right now: Redis, which shares the budget counters, is unreachable and the spend of ${cap} counters already waits for it. Retry shortly.`,
    }),
};

// ── Presets, wildcard aliases, capability skipping, health checks (issue 17; helper P) ──
export const capabilityErrors = {
  /** Every target of the alias was skipped because its model lacks what the request needs (from the catalog). */
  modelLacksCapability: (alias: string, capabilities: string[], param: string | null, summary: string) =>
    new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'model_lacks_capability',
      param,
      message: `No target of model "${alias}" supports ${capabilities.join(' and ')}, which this request uses: ${summary}`,
    }),
};

// ── The dashboard's request log (issue 18; helper store) ──
export const requestLogErrors = {
  /** The request log's database could not be read (down, locked past its busy timeout, unreadable file). */
  requestLogUnavailable: (store: string, reason: string) =>
    new GatewayError({
      status: 503,
      type: 'service_unavailable',
      code: 'request_log_unavailable',
      message: `The dashboard's request log (${store}) could not be read: ${reason.slice(0, 200)}`,
    }),
};

// ── Replay: recorded traffic under a candidate config (issue 18; helper "replay", src/replay/, /ui/api/replay) ──
export const replayErrors = {
  /** The Replay page's request is not `{ "config": "<yaml>" }` with a usable window. */
  replayBadRequest: (why: string, param: string) =>
    new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'replay_bad_request',
      param,
      message: `The replay request needs a JSON body { "config": "<candidate YAML>" } and an optional since/until window: ${why}.`,
    }),
  /** The candidate config does not load: every problem as candidate.yaml:LINE:COL: path: message. */
  replayBadCandidate: (problems: string[]) =>
    new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'replay_bad_candidate',
      param: 'config',
      message: `The candidate config is invalid: ${problems.slice(0, 20).join('; ')}`,
    }),
  /** The request log could not be read for the replay. */
  replayStoreFailed: (where: string) =>
    new GatewayError({
      status: 503,
      type: 'service_unavailable',
      code: 'replay_store_unavailable',
      message: `The request log (${where}) could not be read for the replay; see the gateway's log.`,
    }),
  /** A replay is already running in this gateway: one at a time; its result is read from GET /ui/api/replay/job. */
  replayRunning: () =>
    new GatewayError({
      status: 409,
      type: 'invalid_request_error',
      code: 'replay_running',
      message: 'A replay is already running in this gateway; wait for it to finish (GET ui/api/replay/job) before starting another.',
    }),
};
