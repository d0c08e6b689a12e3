/**
 * A failed upstream attempt, typed by how it failed, and the one judgement routing makes of it: worth trying the
 * same target again or not. Every upstream failure travels as an AttemptFailure (call-target.ts makes them all),
 * and its constructor redacts the upstream's words: whatever reaches a client from an upstream failure (an error
 * body, an in-stream error event, an attempt's reason in the all-failed summary) is read from here, already clean.
 */
import type { AttemptFailureKind } from '../pipeline/types';
import { redactSecrets } from '../observability/redact';
import type { UpstreamErrorInfo } from '../upstream/http-spec';
import { transportRefusalOf } from '../upstream/refusals';

/** The kinds an attempt that was called can fail with (a skipped target throws TargetSkipped instead). */
export type CalledFailureKind = Exclude<AttemptFailureKind, 'skipped'>;

const TIMEOUT_KINDS: ReadonlySet<AttemptFailureKind> = new Set(['connect_timeout', 'first_byte_timeout', 'idle_timeout', 'attempt_timeout']);

/**
 * True for the kinds that are a deadline passing.
 *
 * @example isTimeoutKind('first_byte_timeout') // true
 */
export function isTimeoutKind(kind: AttemptFailureKind | undefined): boolean {
  return kind !== undefined && TIMEOUT_KINDS.has(kind);
}

/** The upstream's words with every secret taken out: message, code and type all end up in client answers. */
function redactedInfo(info: UpstreamErrorInfo): UpstreamErrorInfo {
  return { ...info, message: redactSecrets(info.message), type: redactSecrets(info.type), code: info.code === null ? null : redactSecrets(info.code) };
}

/**
 * @example throw new AttemptFailure('status', parsedErrorInfo, 503)
 * @example throw new AttemptFailure('first_byte_timeout', { status: 504, type: 'timeout_error', code: 'upstream_timeout', message: 'p: first byte timeout', retryable: true })
 */
export class AttemptFailure extends Error {
  /** What the upstream (or the network) said, normalised, with secrets redacted. */
  readonly info: UpstreamErrorInfo;

  constructor(
    readonly kind: CalledFailureKind,
    info: UpstreamErrorInfo,
    /** The upstream's HTTP status, when a response arrived. */
    readonly upstreamStatus?: number,
  ) {
    const safe = redactedInfo(info);
    super(safe.message);
    this.name = 'AttemptFailure';
    this.info = safe;
  }

  get timedOut(): boolean {
    return TIMEOUT_KINDS.has(this.kind);
  }

  /** Whoever waited for the attempt gave up (the client, the routing deadline, a hedge that won). */
  get clientAborted(): boolean {
    return this.kind === 'client_abort';
  }
}

const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504, 529]);

/**
 * The gateway's own transport refused the attempt (the provider's pool and queue were full, or the answer
 * would not fit the memory limits): the upstream did nothing wrong, so it says nothing about the target's
 * health (no cooldown verdict), and trying the same target again at once would meet the same limit. The
 * routing fails over to the next target instead (the failure stays `retryable`).
 *
 * @example isLocalRefusal(failure) // true for upstream_queue_full, upstream_answer_too_large, …
 */
export function isLocalRefusal(f: AttemptFailure): boolean {
  return transportRefusalOf(f.info.code) !== undefined;
}

/**
 * A failure that the same target may not repeat: the network, a timeout, overload or rate limiting.
 * Client errors, rejected credentials and unknown models are not: trying again would get the same answer.
 *
 * @example isTransient(new AttemptFailure('status', info, 429)) // true
 * @example isTransient(new AttemptFailure('network', info)) // true
 */
export function isTransient(f: AttemptFailure): boolean {
  if (f.kind === 'client_abort' || f.info.credentialProblem || isLocalRefusal(f)) return false;
  switch (f.kind) {
    case 'status':
      return f.upstreamStatus !== undefined && TRANSIENT_STATUSES.has(f.upstreamStatus);
    case 'network':
    case 'connect_timeout':
    case 'first_byte_timeout':
    case 'idle_timeout':
    case 'attempt_timeout':
      return true;
    default:
      // An error event inside a stream, a cut stream, an unreadable or oversized answer, a refusal: the
      // normalised status says what it amounts to (an in-stream 429 is transient, an in-stream 400 is not).
      return f.info.retryable && TRANSIENT_STATUSES.has(f.info.status);
  }
}

/**
 * The attempt failures the gateway words itself, one factory each (the upstream's own errors come from the
 * adapters' parseError). `provider` is the provider's configured name, which starts every message.
 *
 * @example throw attemptFailures.streamCut('openai')
 */
export const attemptFailures = {
  /** No (whole) HTTP answer: the transport's classification of a network error or a deadline; `status` if headers had arrived. */
  transport: (provider: string, kind: CalledFailureKind, reason: string, status?: number) =>
    new AttemptFailure(
      kind,
      {
        status: isTimeoutKind(kind) ? 504 : 502,
        type: isTimeoutKind(kind) ? 'timeout_error' : 'upstream_error',
        code: isTimeoutKind(kind) ? 'upstream_timeout' : kind === 'too_large' ? 'upstream_response_too_large' : 'upstream_unreachable',
        message: `${provider}: ${reason}`,
        retryable: kind !== 'client_abort',
      },
      status,
    ),
  /** A stream answered 200 but sent no chunk within the provider's first_byte_timeout_ms. */
  firstChunkTimeout: (provider: string, ms: number) =>
    new AttemptFailure(
      'first_byte_timeout',
      {
        status: 504,
        type: 'timeout_error',
        code: 'upstream_timeout',
        message: `${provider}: first byte timeout (no stream chunk within ${ms} ms)`,
        retryable: true,
      },
      200,
    ),
  invalidJson: (provider: string, status: number) =>
    new AttemptFailure(
      'bad_answer',
      { status: 502, type: 'upstream_error', code: 'bad_upstream_response', message: `${provider}: answered with invalid JSON`, retryable: true },
      status,
    ),
  streamCut: (provider: string) =>
    new AttemptFailure(
      'stream_cut',
      { status: 502, type: 'upstream_error', code: 'upstream_stream_cut', message: `${provider}: stream ended before it was complete`, retryable: true },
      200,
    ),
  streamEmpty: (provider: string, status: number) =>
    new AttemptFailure(
      'stream_cut',
      { status: 502, type: 'upstream_error', code: 'upstream_stream_empty', message: `${provider}: stream ended without any chunk`, retryable: true },
      status,
    ),
  /** Retryable: another target of the alias may serve the endpoint. */
  unsupportedEndpoint: (provider: string, api: string, endpoint: string) =>
    new AttemptFailure('refused', {
      status: 400,
      type: 'invalid_request_error',
      code: 'unsupported_endpoint',
      message: `${provider} (${api}) does not serve ${endpoint}`,
      retryable: true,
    }),
};
