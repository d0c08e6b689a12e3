/**
 * A spend sink with its batched writer: records are pushed without waiting, written in batches, and flushed
 * before the sink closes (one object, so shutdown closes them in the right order).
 */
import { BatchedWriter, type SpendRecord, type SpendSink } from '../../plugin-api';

/**
 * @example
 * const log = new SpendLog(openSpendSink('sqlite://./data/spend.db', dir), (m, d) => logger.warn(m, d));
 * log.writer.push(record);
 */
export class SpendLog {
  readonly writer: BatchedWriter<SpendRecord>;

  constructor(
    readonly sink: SpendSink,
    onProblem: (message: string, detail: Record<string, unknown>) => void,
    options: { maxBuffer?: number; flushIntervalMs?: number; onDrop?: (count: number) => void } = {},
  ) {
    this.writer = new BatchedWriter<SpendRecord>({
      write: (rows) => sink.write(rows),
      onProblem,
      onDrop: options.onDrop,
      maxBuffer: options.maxBuffer,
      flushIntervalMs: options.flushIntervalMs,
    });
  }

  async close(): Promise<void> {
    await this.writer.close();
    await this.sink.close();
  }
}
