/**
 * Writes an OpenAI-style SSE stream to the client: `data: {json}` events, `data: [DONE]` at a normal end, or an
 * error event (and no [DONE]) when the stream fails after it started. Respects backpressure, so a slow client
 * slows the upstream read instead of growing memory.
 */
import { once } from 'node:events';
import type { HttpResponse } from './http-types';
import type { GatewayError } from '../errors';
import { toOpenAIErrorBody } from '../errors';
import { headerList } from './send';

/** The headers of every event stream the gateway answers with (OpenAI's and the Anthropic front door's). */
export const SSE_HEADERS = ['content-type', 'text/event-stream; charset=utf-8', 'cache-control', 'no-cache', 'x-accel-buffering', 'no'];

/**
 * @example
 * const sse = new SseWriter(res, headers);
 * await sse.send(chunk);
 * sse.done();
 */
export class SseWriter {
  private started = false;

  constructor(private readonly res: HttpResponse, private readonly headers: Record<string, string>) {}

  get hasStarted(): boolean {
    return this.started;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(200, headerList(this.headers, SSE_HEADERS));
  }

  /** Sends one event; resolves once the socket can take more. */
  async send(payload: unknown): Promise<void> {
    this.start();
    if (this.res.destroyed) return;
    if (!this.res.write(`data: ${JSON.stringify(payload)}\n\n`)) {
      await Promise.race([once(this.res, 'drain'), once(this.res, 'close')]);
    }
  }

  done(): void {
    this.start();
    this.res.end('data: [DONE]\n\n');
  }

  /** After the stream started: an error event, then close without [DONE], so the failure cannot pass for success. */
  fail(err: GatewayError): void {
    this.start();
    this.res.end(`data: ${JSON.stringify(toOpenAIErrorBody(err))}\n\n`);
  }
}
