/**
 * The one place that sends requests to providers. A Transport takes the request an adapter described and
 * returns the raw response; it never translates. `http-transport.ts` speaks HTTP through keep-alive pools;
 * `mock-transport.ts` answers inside the process for `api: mock`.
 */
import type { Readable } from 'node:stream';
import type { AbortSource } from '../pipeline/abort-flag';
import type { HeaderBag, HttpRequestSpec } from '../providers/types';

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

/** How a request that got no HTTP answer failed, in words fit for logs and the client's summary. */
export interface TransportFailure {
  timedOut: boolean;
  /** The client went away: nobody is waiting for an answer any more. */
  clientAborted: boolean;
  reason: string;
}

/**
 * @example describeTransportError(err, signal) // { timedOut: true, clientAborted: false, reason: 'first byte timeout' }
 */
export function describeTransportError(err: unknown, clientSignal: { readonly aborted: boolean }): TransportFailure {
  const e = err as { name?: string; code?: string; message?: string } | undefined;
  const code = e?.code ?? '';
  const name = e?.name ?? '';
  if (clientSignal.aborted) return { timedOut: false, clientAborted: true, reason: 'client disconnected' };
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return { timedOut: true, clientAborted: false, reason: 'first byte timeout' };
  if (code === 'UND_ERR_BODY_TIMEOUT') return { timedOut: true, clientAborted: false, reason: 'upstream went silent mid-response' };
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { timedOut: true, clientAborted: false, reason: 'connect timeout' };
  if (name === 'TimeoutError') return { timedOut: true, clientAborted: false, reason: 'attempt timeout' };
  if (code === 'ECONNREFUSED') return { timedOut: false, clientAborted: false, reason: 'connection refused' };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'UPSTREAM_CLOSED') return { timedOut: false, clientAborted: false, reason: 'connection dropped' };
  if (code === 'UPSTREAM_RESPONSE_TOO_LARGE') return { timedOut: false, clientAborted: false, reason: e?.message ?? 'response too large' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { timedOut: false, clientAborted: false, reason: 'host not found' };
  return { timedOut: false, clientAborted: false, reason: e?.message ? `network error: ${e.message}` : 'network error' };
}
