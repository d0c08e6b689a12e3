/**
 * Gemini error responses (Google's `{"error":{"code","message","status","details"}}`) → the gateway's
 * normalised UpstreamErrorInfo.
 */
import { redactedExcerpt } from '../../observability/redact';
import { parseDurationMs } from '../retry-after';
import type { HeaderBag, UpstreamErrorInfo } from '../../upstream/http-spec';
import { normaliseUpstreamError } from '../upstream-error-info';
import type { GeminiErrorBody } from './wire-types';

/** Google reports some credential failures as 400 INVALID_ARGUMENT; the ErrorInfo reason tells them apart. */
const CREDENTIAL_REASONS = new Set(['API_KEY_INVALID', 'API_KEY_SERVICE_BLOCKED', 'API_KEY_HTTP_REFERRER_BLOCKED', 'CONSUMER_SUSPENDED']);

/**
 * @example
 * parseGeminiError(429, '{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}', {})
 * // { status: 429, type: 'rate_limit_error', retryable: true, ... }
 */
export function parseGeminiError(status: number, bodyText: string, headers: HeaderBag, providerLabel = 'Gemini'): UpstreamErrorInfo {
  let message = redactedExcerpt(bodyText, 500) || `HTTP ${status}`;
  let googleStatus: string | undefined;
  let reasons: string[] = [];
  let retryDelayMs: number | undefined;
  try {
    // Errors arrive as an object, or (from some streaming endpoints) as a one-element array of them.
    const raw = JSON.parse(bodyText) as GeminiErrorBody | GeminiErrorBody[];
    const err = (Array.isArray(raw) ? raw[0] : raw)?.error;
    if (typeof err?.message === 'string') message = err.message;
    googleStatus = err?.status;
    reasons = (err?.details ?? []).map((d) => d.reason).filter((r): r is string => typeof r === 'string');
    const delay = err?.details?.find((d) => typeof d.retryDelay === 'string')?.retryDelay;
    if (delay) retryDelayMs = parseDurationMs(delay);
  } catch {
    // Not Google's error shape (a proxy page); keep the excerpt.
  }
  const info = normaliseUpstreamError({
    providerLabel,
    status,
    message,
    headers,
    credentialProblem: googleStatus === 'UNAUTHENTICATED' || googleStatus === 'PERMISSION_DENIED' || reasons.some((r) => CREDENTIAL_REASONS.has(r)),
    rateLimited: googleStatus === 'RESOURCE_EXHAUSTED',
    overloaded: googleStatus === 'UNAVAILABLE',
  });
  // RetryInfo in the body is Google's way of saying retry-after.
  return info.retryable && info.retryAfterMs === undefined && retryDelayMs !== undefined && !info.credentialProblem
    ? { ...info, retryAfterMs: retryDelayMs }
    : info;
}
