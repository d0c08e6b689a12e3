/**
 * Writes items to a slow or flaky destination in the background: a bounded buffer, batches, retry with backoff,
 * and a counted drop when the buffer overflows. `push` never waits and never throws, so the request that
 * produced an item is never slowed or failed by its destination.
 */

export interface BatchedWriterOptions<T> {
  /** Writes one batch; a rejection keeps the batch and retries it later. */
  write(batch: T[]): Promise<void>;
  /** Items held at most; past this, new items are dropped and counted. */
  maxBuffer?: number;
  batchSize?: number;
  /** How long an item may wait for companions before its batch is written. */
  flushIntervalMs?: number;
  /** Longest pause between retries of a failing destination. */
  maxRetryDelayMs?: number;
  /** Told about the first failure of an outage and about drops; never given the items themselves. */
  onProblem?(message: string, detail: Record<string, unknown>): void;
  /** Told about every drop, with how many items were lost (for a metric). */
  onDrop?(count: number): void;
}

export interface BatchedWriterStats {
  buffered: number;
  written: number;
  dropped: number;
  failedWrites: number;
}

/**
 * @example
 * const writer = new BatchedWriter<SpendRecord>({ write: (rows) => sink.write(rows) });
 * writer.push(record);      // returns at once
 * await writer.close();     // flushes what it can
 */
export class BatchedWriter<T> {
  private buffer: T[] = [];
  private readonly maxBuffer: number;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxRetryDelayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private retryDelayMs = 0;
  private nextAttemptAt = 0;
  private closed = false;
  private readonly counters = { written: 0, dropped: 0, failedWrites: 0 };

  constructor(private readonly options: BatchedWriterOptions<T>) {
    this.maxBuffer = options.maxBuffer ?? 10_000;
    this.batchSize = options.batchSize ?? 200;
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
  }

  get stats(): BatchedWriterStats {
    return { buffered: this.buffer.length, ...this.counters };
  }

  push(item: T): void {
    if (this.closed || this.buffer.length >= this.maxBuffer) {
      this.counters.dropped++;
      this.options.onDrop?.(1);
      // Report the first drop and then every thousandth, so an outage does not flood the log.
      if (this.counters.dropped % 1000 === 1) this.options.onProblem?.('buffer full; dropping records', { dropped: this.counters.dropped });
      return;
    }
    this.buffer.push(item);
    if (this.buffer.length >= this.batchSize) this.kick();
    else this.schedule(this.flushIntervalMs);
  }

  /** Writes everything buffered now; resolves when the buffer is empty or a write failed. */
  async flush(): Promise<void> {
    this.nextAttemptAt = 0;
    while (this.buffer.length > 0) {
      if (this.writing) await this.writing;
      else if (!(await this.writeOneBatch())) return;
    }
    if (this.writing) await this.writing;
  }

  /** Stops accepting items and flushes, retrying for up to `timeoutMs`; whatever is left is counted as dropped. */
  async close(timeoutMs = 3_000): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length > 0 && Date.now() < deadline) {
      await this.flush();
      if (this.buffer.length > 0) await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, deadline - Date.now()))));
    }
    if (this.buffer.length > 0) {
      this.counters.dropped += this.buffer.length;
      this.options.onDrop?.(this.buffer.length);
      this.options.onProblem?.('closing with unwritten records; dropped', { dropped: this.buffer.length });
      this.buffer = [];
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, delayMs);
    // A pending flush must not keep the process alive; close() flushes on shutdown.
    this.timer.unref();
  }

  private kick(): void {
    if (this.writing || this.buffer.length === 0) return;
    const wait = this.nextAttemptAt - Date.now();
    if (wait > 0) return this.schedule(wait);
    void this.writeOneBatch().then(() => {
      if (this.buffer.length > 0) this.schedule(this.buffer.length >= this.batchSize ? 0 : this.flushIntervalMs);
    });
  }

  private async writeOneBatch(): Promise<boolean> {
    const batch = this.buffer.slice(0, this.batchSize);
    let ok = false;
    this.writing = (async () => {
      try {
        await this.options.write(batch);
        // Items stay in the buffer until written, so a failed batch is retried in order.
        this.buffer.splice(0, batch.length);
        this.counters.written += batch.length;
        if (this.retryDelayMs > 0) this.options.onProblem?.('destination recovered', { buffered: this.buffer.length });
        this.retryDelayMs = 0;
        this.nextAttemptAt = 0;
        ok = true;
      } catch (err) {
        this.counters.failedWrites++;
        if (this.retryDelayMs === 0) this.options.onProblem?.('write failed; will retry', { error: (err as Error).message, buffered: this.buffer.length });
        this.retryDelayMs = Math.min(this.maxRetryDelayMs, Math.max(100, this.retryDelayMs * 2));
        this.nextAttemptAt = Date.now() + this.retryDelayMs;
      }
    })();
    await this.writing;
    this.writing = undefined;
    return ok;
  }
}
