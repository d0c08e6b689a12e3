/**
 * What crosses the wire between the gateway and a provider, in the transport's terms: the request an adapter
 * describes, the response headers, one server-sent event, and the failure of an attempt. They live here, below
 * the adapters, because the transport sends and parses them; providers/ import them from here, never the reverse.
 */

/**
 * An HTTP request for the transport to send.
 *
 * @example const spec: HttpRequestSpec = { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers, body: JSON.stringify(body) };
 */
export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  /** Full URL, e.g. "https://api.openai.com/v1/chat/completions". */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Response headers as undici and node:http give them: a name is absent, one value, or repeated. */
export type HeaderBag = Record<string, string | string[] | undefined>;

/**
 * One server-sent event as parsed from an upstream stream.
 *
 * @example { event: 'message_stop', data: '{"type":"message_stop"}' }
 */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

/**
 * Turns the bytes of a streamed answer into events for a StreamTranslator. The default is the SSE parser
 * (sse.ts); a provider whose stream is framed otherwise (Bedrock's binary AWS event stream) brings its own,
 * which hands each frame on in the same shape: `event` = the frame's event type, `data` = its payload text.
 *
 * @example const decoder: StreamDecoder = new SseParser(); for (const ev of decoder.push(bytes)) translator.push(ev);
 */
export interface StreamDecoder {
  /** Feeds raw bytes; returns every event they completed. Throws UpstreamFailure for a malformed or oversized frame. */
  push(piece: Uint8Array): SseEvent[];
  /** Whatever complete event remains when the body ends. */
  flush(): SseEvent[];
}

/**
 * The last step before a request is sent: authentication that needs the finished request (AWS SigV4 signs the
 * method, URL, headers and body) or asynchronous work (fetching and caching an OAuth token). It runs inside the
 * transport (signing-transport.ts), so adapters stay pure and every request, retried or hedged, is signed afresh.
 * Throws UpstreamFailure when no credentials can be had (the provider's fault: `credentialProblem`).
 *
 * @example const signed = await signer.sign({ method: 'POST', url, headers, body });
 */
export interface RequestSigner {
  sign(spec: HttpRequestSpec): Promise<HttpRequestSpec>;
}

/** What an upstream error means, normalised across providers. */
export interface UpstreamErrorInfo {
  /** The status the client should see (e.g. Anthropic 529 → 503, auth failures → 502). */
  status: number;
  type: string;
  code: string | null;
  message: string;
  /** Whether trying another target might succeed (429, 5xx, timeouts, our own credentials). */
  retryable: boolean;
  /** True for the upstream rejecting our credentials (401/403): the provider, not the client, is at fault. */
  credentialProblem?: boolean;
  /** Parsed from retry-after / retry-after-ms / x-ratelimit-reset-* when the upstream gave one. */
  retryAfterMs?: number;
}

/**
 * Thrown by adapters and the transport for a failed upstream attempt; the router decides what happens next.
 *
 * @example throw new UpstreamFailure({ status: 502, type: 'upstream_error', code: null, message: 'bad event', retryable: true });
 */
export class UpstreamFailure extends Error {
  constructor(readonly info: UpstreamErrorInfo) {
    super(info.message);
    this.name = 'UpstreamFailure';
  }
}
