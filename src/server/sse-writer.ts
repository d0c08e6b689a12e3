/**
 * Writes an OpenAI-style SSE stream to the client: `data: {json}` events, `data: [DONE]` at a normal end, or an
 * error event (and no [DONE]) when the stream fails after it started. Respects backpressure, so a slow client
 * slows the upstream read instead of growing memory.
 */
import type { HttpResponse } from './http-types';
import type { GatewayError } from '../errors';
import { toOpenAIErrorBody } from '../errors';
import { headerList } from './send';

/** The headers of every event stream the gateway answers with (OpenAI's and the Anthropic front door's). */
export const SSE_HEADERS = ['content-type', 'text/event-stream; charset=utf-8', 'cache-control', 'no-cache', 'x-accel-buffering', 'no'];

/**
 * Resolves once `res` can take more (`drain`) or is gone (`close`, `error`), removing all three listeners whichever
 * fires. (`Promise.race` over `events.once` left the losers' listeners behind: one `close` and one `error` per wait,
 * so a long stream to a slow reader grew them without end.)
 *
 * @example if (!res.write(text)) await writable(res);
 */
export function writable(res: HttpResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve(); // its close already fired
  return new Promise((resolve) => {
    const settle = () => {
      res.off('drain', settle);
      res.off('close', settle);
      res.off('error', settle);
      resolve();
    };
    res.on('drain', settle);
    res.on('close', settle);
    res.on('error', settle);
  });
}

/**
 * @example
 * const sse = new SseWriter(res, headers);
 * await sse.send(chunk);
 * sse.done();
 */
export class SseWriter {
  private started = false;

  constructor(
    private readonly res: HttpResponse,
    private readonly headers: Record<string, string>,
  ) {}

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
    if (!this.res.write(`data: ${JSON.stringify(payload)}\n\n`)) await writable(this.res);
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
