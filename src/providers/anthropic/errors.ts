/**
 * Anthropic error responses (`{"type":"error","error":{"type","message"}}`) and in-stream `error` events →
 * the gateway's normalised UpstreamErrorInfo.
 */
import type { HeaderBag, UpstreamErrorInfo } from '../../upstream/http-spec';
import { redactedExcerpt } from '../../observability/redact';
import { normaliseUpstreamError } from '../upstream-error-info';
import { ownValue } from '../own-value';

/** The HTTP status Anthropic uses for each error type; in-stream error events carry only the type. */
export const STATUS_BY_ANTHROPIC_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/**
 * @example
 * parseAnthropicError(529, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', {})
 * // { status: 503, type: 'service_unavailable', code: 'upstream_overloaded', retryable: true, ... }
 */
export function parseAnthropicError(status: number, bodyText: string, headers: HeaderBag, providerLabel = 'Anthropic'): UpstreamErrorInfo {
  let type: string | undefined;
  let message = redactedExcerpt(bodyText, 500) || `HTTP ${status}`;
  try {
    const parsed = JSON.parse(bodyText) as { error?: { type?: unknown; message?: unknown } };
    if (typeof parsed.error?.type === 'string') type = parsed.error.type;
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
  } catch {
    // A proxy in front of Anthropic may answer with HTML; the excerpt is the best message we have.
  }
  return normaliseUpstreamError({
    providerLabel,
    status,
    message,
    headers,
    overloaded: type === 'overloaded_error',
    // A billing failure is the gateway operator's account, not the client's request.
    credentialProblem: type === 'authentication_error' || type === 'permission_error' || type === 'billing_error',
    rateLimited: type === 'rate_limit_error',
  });
}

/**
 * An `error` event in the middle of a stream, e.g. `{"type":"error","error":{"type":"overloaded_error",...}}`.
 *
 * @example parseAnthropicStreamError({ type: 'overloaded_error', message: 'Overloaded' }).status // 503
 */
export function parseAnthropicStreamError(error: { type?: string; message?: string } | undefined, providerLabel = 'Anthropic'): UpstreamErrorInfo {
  const type = error?.type ?? 'api_error';
  const status = ownValue(STATUS_BY_ANTHROPIC_ERROR_TYPE, type) ?? 500;
  return parseAnthropicError(status, JSON.stringify({ type: 'error', error: { type, message: error?.message ?? 'Stream error' } }), {}, providerLabel);
}
