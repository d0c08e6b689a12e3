/**
 * Raw forwarding of one request to a provider, for passthrough: any method, path and headers, the body streamed
 * as it arrives, the answer streamed back. It goes over the provider's own undici pool (the one model calls
 * use, see http-transport.ts), so its connections, connect timeout and limits are the provider's.
 */
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { AbortSource } from './abort-flag';
import { HttpTransport } from './http-transport';
import type { Transport, UpstreamResponse } from './transport';

export interface ForwardSpec {
  method: string;
  /** Absolute from the origin, query included. */
  path: string;
  headers: Record<string, string | string[]>;
  /** The request body, read as the upstream takes it (backpressure), or null when the request has none. */
  body: Readable | null;
}

export interface ForwardOptions {
  /** Time allowed until the response headers arrive (refreshed while the request body is still being sent). */
  headersTimeoutMs: number;
  /** Longest silence allowed between two chunks of the response body. */
  bodyTimeoutMs: number;
  /** Cancels the request at once: the client went away. */
  cancel: AbortSource;
}

/** The controller undici hands a dispatch handler. */
interface DispatchController {
  abort(reason: Error): void;
  pause(): void;
  resume(): void;
}

/** The provider's HTTP transport (its pool and queue), or undefined for a transport that does no HTTP (api: mock). */
export function httpTransportOf(transport: Transport): HttpTransport | undefined {
  return transport instanceof HttpTransport ? transport : undefined;
}

/**
 * Sends the request; resolves at the response headers with the body as a Readable that pauses the upstream
 * while its reader is behind. Destroying the body, or the `cancel` source firing, aborts the upstream request
 * (its connection closes, so the provider stops working on it). Rejects with undici's error when no answer
 * came (UND_ERR_HEADERS_TIMEOUT, UND_ERR_CONNECT_TIMEOUT, ECONNREFUSED, …).
 *
 * @example
 * const res = await forward(httpTransportOf(provider.transport)!.dispatcher, { method: 'GET', path: '/v1/files', headers, body: null },
 *   { headersTimeoutMs: 30_000, bodyTimeoutMs: 120_000, cancel: clientAbortOf(ctx) });
 * pipeline(res.body, clientResponse, done);
 */
export function forward(dispatcher: Dispatcher, spec: ForwardSpec, opts: ForwardOptions): Promise<UpstreamResponse> {
  const { cancel } = opts;
  return new Promise((resolve, reject) => {
    if (cancel.aborted) return reject(cancel.reason);
    let controller: DispatchController | undefined;
    let started = false;
    let ended = false;
    const onCancel = () => controller?.abort(cancel.reason instanceof Error ? cancel.reason : new Error('client disconnected'));
    cancel.addEventListener('abort', onCancel);
    const release = () => cancel.removeEventListener('abort', onCancel);
    const body = new Readable({
      read: () => controller?.resume(),
      destroy: (err, callback) => {
        release();
        // A reader that stops early (the client left, the relay failed) ends the upstream request with it.
        if (!ended) controller?.abort(err ?? new Error('passthrough closed by the gateway'));
        callback(err);
      },
    });
    const options = {
      method: spec.method as Dispatcher.HttpMethod,
      path: spec.path,
      headers: spec.headers,
      body: spec.body,
      headersTimeout: opts.headersTimeoutMs,
      bodyTimeout: opts.bodyTimeoutMs,
    };
    const handler = {
      onRequestStart(c: DispatchController) {
        controller = c;
        if (cancel.aborted) onCancel();
      },
      onResponseStart(_c: DispatchController, status: number, headers: UpstreamResponse['headers']) {
        started = true;
        resolve({ status, headers, body });
      },
      onResponseData(c: DispatchController, chunk: Buffer) {
        if (!body.push(chunk)) c.pause();
      },
      onResponseEnd() {
        ended = true;
        release();
        body.push(null);
      },
      onResponseError(_c: DispatchController, err: Error) {
        ended = true;
        release();
        if (started) body.destroy(err);
        else reject(err);
      },
    } as unknown as Dispatcher.DispatchHandler;
    try {
      dispatcher.dispatch(options, handler);
    } catch (err) {
      release(); // undici refused the request outright (an argument it does not accept)
      reject(err);
    }
  });
}
