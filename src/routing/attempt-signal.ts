/**
 * The abort signal of one upstream attempt: it fires when the client disconnects, when the attempt's total
 * time (`timeout_ms`) is up, or when the first byte is late (`first_byte_timeout_ms`).
 *
 * Why not `AbortSignal.any([client, AbortSignal.timeout(ms)])`: that leaves a timer armed for the whole
 * timeout (two minutes by default) after every finished request and keeps the combined signal reachable from
 * the client's, which on a busy gateway means hundreds of thousands of dead timers and measurable CPU. This
 * one clears its timers and listener as soon as the attempt is over.
 */
import type { AbortSource } from '../pipeline/client-abort';
import type { Cancellation } from '../upstream/transport';

/** The reason for a late first byte; its code reads as undici's own header timeout, so errors describe alike. */
export class FirstByteTimeout extends Error {
  readonly code = 'UND_ERR_HEADERS_TIMEOUT';
  constructor(ms: number) {
    super(`no response headers within ${ms} ms`);
    this.name = 'FirstByteTimeout';
  }
}

/** The reason for an attempt over its total time; named like the DOMException of AbortSignal.timeout. */
export class AttemptTimeout extends Error {
  constructor(ms: number) {
    super(`attempt took longer than ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * @example
 * const attempt = new AttemptSignal(clientAbortOf(ctx), 30_000, 2_000);
 * try { const res = await transport.send(spec, { signal: attempt.signal }); attempt.firstByteArrived(); … }
 * finally { attempt.dispose(); }
 */
export class AttemptSignal implements Cancellation {
  aborted = false;
  reason: unknown;
  /** Made only when a caller needs a real AbortSignal (a stream's undici request); buffered calls do not. */
  private controller: AbortController | undefined;
  private listener: ((reason: unknown) => void) | undefined;
  private totalTimer: NodeJS.Timeout | undefined;
  private firstByteTimer: NodeJS.Timeout | undefined;
  private readonly onClientAbort = () => this.abort(this.client.reason);

  constructor(private readonly client: AbortSource, totalMs: number, firstByteMs?: number) {
    if (client.aborted) {
      this.abort(client.reason);
      return;
    }
    client.addEventListener('abort', this.onClientAbort, { once: true });
    this.totalTimer = setTimeout(() => this.abort(new AttemptTimeout(totalMs)), totalMs);
    if (firstByteMs !== undefined) this.firstByteTimer = setTimeout(() => this.abort(new FirstByteTimeout(firstByteMs)), firstByteMs);
  }

  private abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.listener?.(reason);
  }

  /** The attempt as an AbortSignal, for APIs that take one. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  onAbort(listener: (reason: unknown) => void): void {
    this.listener = listener;
  }

  /** The response started: the first-byte deadline no longer applies. */
  firstByteArrived(): void {
    clearTimeout(this.firstByteTimer);
    this.firstByteTimer = undefined;
  }

  /** The attempt is over (answered, failed or cancelled): release the timers and the client listener. */
  dispose(): void {
    clearTimeout(this.totalTimer);
    clearTimeout(this.firstByteTimer);
    this.listener = undefined;
    this.client.removeEventListener('abort', this.onClientAbort);
  }
}
