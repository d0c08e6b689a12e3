/**
 * Turns the facts a native adapter read from a provider's error (HTTP status, the provider's own error kind,
 * message, headers) into the gateway's normalised UpstreamErrorInfo, so every provider maps statuses alike.
 */
import { upstreamRetryAfterMs } from './rate-limit-headers';
import type { HeaderBag, UpstreamErrorInfo } from '../upstream/http-spec';
import { UpstreamFailure } from '../upstream/http-spec';

/** What an adapter extracted from one error response or in-stream error event. */
export interface UpstreamErrorFacts {
  /** Human name of the vendor or configured provider, used in messages ("Anthropic", "provider \"claude\""). */
  providerLabel: string;
  /** HTTP status the upstream answered with (for in-stream errors: the status its error kind implies). */
  status: number;
  message: string;
  headers: HeaderBag;
  /** The prompt did not fit the model's context window. */
  contextLength?: boolean;
  /** The upstream rejected the gateway's credentials (or billing), whatever status it used for it. */
  credentialProblem?: boolean;
  /** The provider is out of capacity for everyone (Anthropic 529 overloaded_error). */
  overloaded?: boolean;
  /** The caller went over a quota or rate limit (Gemini RESOURCE_EXHAUSTED). */
  rateLimited?: boolean;
}

const CONTEXT_LENGTH_WORDING =
  /prompt is too long|context[_ ](length|window)|maximum context|too many (input )?tokens|input token count.*exceeds|exceeds the maximum number of tokens/i;

/**
 * @example looksLikeContextLengthError('prompt is too long: 210000 tokens > 200000 maximum') // true
 */
export function looksLikeContextLengthError(message: string): boolean {
  return CONTEXT_LENGTH_WORDING.test(message);
}

/**
 * @example
 * normaliseUpstreamError({ providerLabel: 'Anthropic', status: 529, message: 'Overloaded', headers: {}, overloaded: true })
 * // { status: 503, type: 'service_unavailable', code: 'upstream_overloaded', retryable: true, ... }
 */
export function normaliseUpstreamError(f: UpstreamErrorFacts): UpstreamErrorInfo {
  const retryAfterMs = upstreamRetryAfterMs(f.headers);
  const withWait = (info: UpstreamErrorInfo): UpstreamErrorInfo => (retryAfterMs === undefined ? info : { ...info, retryAfterMs });
  if (f.credentialProblem || f.status === 401 || f.status === 403) {
    return {
      status: 502,
      type: 'upstream_error',
      code: 'upstream_auth_failed',
      message: `${f.providerLabel} rejected the gateway's credentials (HTTP ${f.status}: ${f.message}). Check the provider's api_key.`,
      retryable: true,
      credentialProblem: true,
    };
  }
  if (f.contextLength || ((f.status === 400 || f.status === 413) && looksLikeContextLengthError(f.message))) {
    return { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded', message: f.message, retryable: false };
  }
  if (f.rateLimited || f.status === 429) {
    return withWait({ status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', message: f.message, retryable: true });
  }
  if (f.overloaded || f.status === 529 || f.status === 503) {
    return withWait({ status: 503, type: 'service_unavailable', code: 'upstream_overloaded', message: f.message, retryable: true });
  }
  if (f.status === 408 || f.status === 504) {
    return withWait({ status: 504, type: 'timeout_error', code: 'upstream_timeout', message: f.message, retryable: true });
  }
  if (f.status >= 500) {
    return withWait({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_server_error',
      message: `${f.providerLabel} failed: ${f.message}`,
      retryable: true,
    });
  }
  if (f.status === 404) {
    // The alias exists on the gateway; the target's model does not exist upstream. Another target may have it.
    return { status: 404, type: 'invalid_request_error', code: 'model_not_found', message: f.message, retryable: true };
  }
  return { status: f.status, type: 'invalid_request_error', code: null, message: f.message, retryable: false };
}

/**
 * For a request an adapter cannot translate (invalid tool-call JSON, a content type the provider lacks). Thrown
 * as an UpstreamFailure so routing treats it like the provider's own 400: not retried, shown to the client.
 *
 * @example throw untranslatableRequest('The arguments of tool call "call_1" are not valid JSON.')
 */
export function untranslatableRequest(message: string): UpstreamFailure {
  return new UpstreamFailure({ status: 400, type: 'invalid_request_error', code: 'invalid_request', message, retryable: false });
}
