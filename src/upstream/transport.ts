/**
 * The one place that sends requests to providers. A Transport takes the request an adapter described and
 * returns the raw response; it never translates. `http-transport.ts` speaks HTTP through keep-alive pools;
 * `mock-transport.ts` answers inside the process for `api: mock`.
 */
import type { Readable } from 'node:stream';
import type { AbortSource } from './abort-flag';
import type { HeaderBag, HttpRequestSpec } from './http-spec';

export interface UpstreamResponse {
  status: number;
  headers: HeaderBag;
  /** The response body; must be consumed or destroyed. */
  body: Readable;
}

/** A whole upstream response, read into memory: for JSON answers, where a body stream would only cost time. */
export interface BufferedResponse {
  status: number;
  headers: HeaderBag;
  body: Buffer;
}

/** Thrown when a buffered response grows past its limit; the request is aborted. */
export class ResponseTooLarge extends Error {
  readonly code = 'UPSTREAM_RESPONSE_TOO_LARGE';
  constructor(limit: number) {
    super(`response larger than ${limit} bytes`);
    this.name = 'ResponseTooLarge';
  }
}

interface TimeoutOptions {
  /** Time allowed until response headers arrive. */
  firstByteTimeoutMs?: number;
  /** Longest silence allowed between body chunks. */
  idleTimeoutMs?: number;
}

export interface SendOptions extends TimeoutOptions {
  /**
   * Ends the request early: client disconnect, the attempt's total or first-byte timeout. An AbortSource rather
   * than an AbortSignal: the routing's AttemptSignal makes a real one only when asked (about 2 µs each).
   */
  cancel: AbortSource;
}

export interface FetchOptions extends SendOptions {
  /** The most body bytes accepted; past that the request is aborted with ResponseTooLarge. */
  maxBytes: number;
  /** Told when the response headers arrive (the first byte), before the body is read. */
  onHeaders?(): void;
}

export interface Transport {
  /** Sends a request and returns as soon as the response headers arrive; the body streams. */
  send(spec: HttpRequestSpec, opts: SendOptions): Promise<UpstreamResponse>;
  /** Sends a request and returns the whole response, refusing a body over `maxBytes`. */
  fetch(spec: HttpRequestSpec, opts: FetchOptions): Promise<BufferedResponse>;
  /** Waits for in-flight requests, then releases connections. */
  close(): Promise<void>;
}

/** How a request that got no HTTP answer failed; the routing's attempt failure kinds include these. */
export type TransportFailureKind = 'network' | 'connect_timeout' | 'first_byte_timeout' | 'idle_timeout' | 'attempt_timeout' | 'too_large' | 'client_abort';

/**
 * An abort reason that says itself which deadline it is (the routing's attempt deadlines), so the transport's
 * caller can classify it without borrowing some library's error code.
 */
export interface ClassifiedAbort {
  readonly failureKind: TransportFailureKind;
}

/** How a request that got no HTTP answer failed, in words fit for logs and the client's summary. */
export interface TransportFailure {
  kind: TransportFailureKind;
  /** One of the timeout kinds. */
  timedOut: boolean;
  /** The caller went away (`client_abort`): nobody is waiting for an answer any more. */
  clientAborted: boolean;
  reason: string;
}

const REASONS: Record<TransportFailureKind, string> = {
  network: 'network error',
  connect_timeout: 'connect timeout',
  first_byte_timeout: 'first byte timeout',
  idle_timeout: 'upstream went silent mid-response',
  attempt_timeout: 'attempt timeout',
  too_large: 'response too large',
  client_abort: 'client disconnected',
};

/** undici's and Node's error codes, by what they mean for an attempt. */
const KIND_BY_CODE: Record<string, TransportFailureKind> = {
  UND_ERR_HEADERS_TIMEOUT: 'first_byte_timeout',
  UND_ERR_BODY_TIMEOUT: 'idle_timeout',
  UND_ERR_CONNECT_TIMEOUT: 'connect_timeout',
  UPSTREAM_RESPONSE_TOO_LARGE: 'too_large',
};

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection dropped',
  UND_ERR_SOCKET: 'connection dropped',
  UPSTREAM_CLOSED: 'connection dropped',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
};

function failure(kind: TransportFailureKind, reason = REASONS[kind]): TransportFailure {
  return { kind, timedOut: kind.endsWith('_timeout'), clientAborted: kind === 'client_abort', reason };
}

/**
 * @example describeTransportError(new FirstByteTimeout(2000), signal) // { kind: 'first_byte_timeout', timedOut: true, reason: 'first byte timeout', … }
 */
export function describeTransportError(err: unknown, clientSignal: { readonly aborted: boolean }): TransportFailure {
  const e = err as { name?: unknown; code?: unknown; message?: unknown; failureKind?: unknown } | undefined;
  if (clientSignal.aborted) return failure('client_abort');
  if (typeof e?.failureKind === 'string' && Object.hasOwn(REASONS, e.failureKind)) return failure(e.failureKind as TransportFailureKind);
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' && e.message ? e.message : undefined;
  const kind = Object.hasOwn(KIND_BY_CODE, code) ? KIND_BY_CODE[code] : undefined;
  if (kind === 'too_large') return failure(kind, message ?? REASONS.too_large);
  if (kind) return failure(kind);
  // AbortSignal.timeout's DOMException.
  if (e?.name === 'TimeoutError') return failure('attempt_timeout');
  if (Object.hasOwn(NETWORK_REASONS, code)) return failure('network', NETWORK_REASONS[code]);
  return failure('network', message ? `network error: ${message}` : 'network error');
}
