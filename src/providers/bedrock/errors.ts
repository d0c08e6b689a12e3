/**
 * Bedrock error responses (the error's name in `x-amzn-errortype` or the body's `__type`, the text in `message`)
 * and ConverseStream exception frames → the gateway's normalised UpstreamErrorInfo.
 */
import type { HeaderBag, UpstreamErrorInfo } from '../../upstream/http-spec';
import { redactedExcerpt } from '../../observability/redact';
import { ownValue } from '../own-value';
import { normaliseUpstreamError } from '../upstream-error-info';

/** The HTTP status Bedrock uses for each exception; stream exception frames carry only the name. */
export const STATUS_BY_BEDROCK_EXCEPTION: Record<string, number> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  ExpiredTokenException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  ServiceQuotaExceededException: 400,
  InternalServerException: 500,
  ModelStreamErrorException: 500,
  ServiceUnavailableException: 503,
};

const CREDENTIAL_EXCEPTIONS = new Set(['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException']);
const CONTEXT_WORDING = /input is too long|too many (input )?tokens|prompt is too long|context (length|window)|exceeds? the maximum/i;

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * `ThrottlingException:http://internal.amazon.com/…`, `com.amazon.coral.service#UnrecognizedClientException` or
 * `throttlingException` (stream frames) → `ThrottlingException`.
 *
 * @example bedrockExceptionName('com.amazon.coral.service#UnrecognizedClientException') // 'UnrecognizedClientException'
 */
export function bedrockExceptionName(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const name = raw.split(':')[0].split('#').pop() ?? '';
  return name ? name[0].toUpperCase() + name.slice(1) : undefined;
}

/**
 * @example
 * parseBedrockError(429, '{"message":"Too many requests, please wait before trying again."}', { 'x-amzn-errortype': 'ThrottlingException' })
 * // { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', retryable: true, ... }
 */
export function parseBedrockError(status: number, bodyText: string, headers: HeaderBag, providerLabel = 'Bedrock'): UpstreamErrorInfo {
  let message = redactedExcerpt(bodyText, 500) || `HTTP ${status}`;
  let name = bedrockExceptionName(header(headers, 'x-amzn-errortype'));
  try {
    const parsed = JSON.parse(bodyText) as { message?: unknown; Message?: unknown; __type?: unknown };
    const text = typeof parsed.message === 'string' ? parsed.message : typeof parsed.Message === 'string' ? parsed.Message : undefined;
    if (text) message = text;
    if (!name && typeof parsed.__type === 'string') name = bedrockExceptionName(parsed.__type);
  } catch {
    // A load balancer in front of Bedrock may answer with HTML; the excerpt is the best message there is.
  }
  // A model that failed (424) or is still loading (429) is the provider's trouble: worth another try or target.
  const effective = name === 'ModelErrorException' ? 500 : name === 'ModelNotReadyException' ? 503 : status;
  const info = normaliseUpstreamError({
    providerLabel,
    status: effective,
    message: name ? `${name}: ${message}` : message,
    headers,
    credentialProblem: name !== undefined && CREDENTIAL_EXCEPTIONS.has(name),
    contextLength: name === 'ValidationException' && CONTEXT_WORDING.test(message),
    rateLimited: name === 'ThrottlingException' || name === 'ServiceQuotaExceededException',
    overloaded: name === 'ModelNotReadyException' || name === 'ServiceUnavailableException',
  });
  return info.status === 400 && info.code === 'context_length_exceeded' ? { ...info, message } : info;
}

/**
 * An exception frame in a ConverseStream (`:exception-type: throttlingException`, payload `{"message":…}`).
 *
 * @example parseBedrockStreamException('throttlingException', '{"message":"slow down"}').status // 429
 */
export function parseBedrockStreamException(type: string, payload: string, providerLabel = 'Bedrock'): UpstreamErrorInfo {
  const name = bedrockExceptionName(type) ?? 'InternalServerException';
  const status = ownValue(STATUS_BY_BEDROCK_EXCEPTION, name) ?? 500;
  return parseBedrockError(status, payload, { 'x-amzn-errortype': name }, providerLabel);
}
