/**
 * The abort signal of one upstream attempt: it fires when the client disconnects, when the attempt's total
 * time (`timeout_ms`) is up, or when the first byte is late (`first_byte_timeout_ms`).
 *
 * Why not `AbortSignal.any([client, AbortSignal.timeout(ms)])`: that leaves a timer armed for the whole
 * timeout (two minutes by default) after every finished request and keeps the combined signal reachable from
 * the client's, which on a busy gateway means hundreds of thousands of dead timers and measurable CPU. This
 * one clears its timers and listener as soon as the attempt is over. Like the client's disconnect it is an
 * AbortFlag: a real AbortSignal is made only for the APIs that need one (a stream's undici request).
 */
import { AbortFlag, type AbortSource } from '../upstream/abort-flag';
import type { ClassifiedAbort } from '../upstream/transport';

/** The reason for a late first byte (headers, or a stream's first chunk); it names its own failure kind. */
export class FirstByteTimeout extends Error implements ClassifiedAbort {
  readonly failureKind = 'first_byte_timeout';
  constructor(ms: number) {
    super(`no response headers within ${ms} ms`);
    this.name = 'FirstByteTimeout';
  }
}

/** The reason for an attempt over its total time (`timeout_ms`). */
export class AttemptTimeout extends Error implements ClassifiedAbort {
  readonly failureKind = 'attempt_timeout';
  constructor(ms: number) {
    super(`attempt took longer than ${ms} ms`);
    this.name = 'AttemptTimeout';
  }
}

/**
 * @example
 * const attempt = new AttemptSignal(clientAbortOf(ctx), 30_000, 2_000);
 * const pending = transport.fetch(spec, { cancel: attempt, … });
 * attempt.start();
 * try { const res = await pending; … } finally { attempt.dispose(); }
 */
export class AttemptSignal extends AbortFlag {
  private totalTimer: NodeJS.Timeout | undefined;
  private firstByteTimer: NodeJS.Timeout | undefined;
  private firstByteDue: boolean;
  private readonly onClientAbort = () => this.abort(this.client.reason);

  constructor(
    private readonly client: AbortSource,
    private readonly totalMs: number,
    private readonly firstByteMs?: number,
  ) {
    super();
    this.firstByteDue = firstByteMs !== undefined;
    if (client.aborted) {
      this.abort(client.reason);
      return;
    }
    client.addEventListener('abort', this.onClientAbort, { once: true });
  }

  /**
   * Starts the deadlines. Callers start them right after handing the request to the transport: setting up
   * timers then overlaps the upstream's work instead of delaying the request, and the deadlines start a few
   * µs later, which no timeout notices.
   */
  start(): this {
    if (this.aborted || this.totalTimer) return this;
    this.totalTimer = setTimeout(() => this.abort(new AttemptTimeout(this.totalMs)), this.totalMs);
    if (this.firstByteDue) this.firstByteTimer = setTimeout(() => this.abort(new FirstByteTimeout(this.firstByteMs!)), this.firstByteMs);
    return this;
  }

  /** The response started: the first-byte deadline no longer applies. */
  firstByteArrived(): void {
    this.firstByteDue = false;
    clearTimeout(this.firstByteTimer);
    this.firstByteTimer = undefined;
  }

  /** The attempt is over (answered, failed or cancelled): release the timers and the client listener. */
  dispose(): void {
    this.firstByteDue = false;
    clearTimeout(this.totalTimer);
    clearTimeout(this.firstByteTimer);
    this.client.removeEventListener('abort', this.onClientAbort);
  }
}
