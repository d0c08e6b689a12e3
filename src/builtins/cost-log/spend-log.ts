/**
 * Where the cost-log plugin's spend records go: a local journal first (synchronously, so `kill -9` right after
 * the answer cannot lose one), then the sink, in batches in the background. A record reaches the sink at least
 * once (the journal is replayed at start) and at most once (the sink skips a request id it has). One object, so
 * shutdown closes writer, journal and sink in the right order.
 */
import { BatchedWriter, SpendJournal, type SpendRecord, type SpendSink } from '../../plugin-api';

export interface SpendLogOptions {
  maxBuffer?: number;
  flushIntervalMs?: number;
  onDrop?: (count: number) => void;
  /** Directory of the local journal; false for none (the sink alone, as before). */
  journalDir?: string | false;
  /** Told about every failed journal append (for a metric). */
  onJournalError?: () => void;
  /** Longest pause between attempts to replay the journal into a sink that is down at start. */
  maxReplayDelayMs?: number;
}

const REPLAY_BATCH = 500;

/**
 * @example
 * const log = new SpendLog(openSpendSink('sqlite://./data/spend.db', dir), (m, d) => logger.warn(m, d), { journalDir: './data/spend-journal' });
 * log.journal(record);  // just before the answer's last byte: survives a crash from here on
 * log.record(record);   // when the request is over: journal + sink
 */
export class SpendLog {
  readonly writer: BatchedWriter<SpendRecord>;
  readonly spendJournal: SpendJournal | undefined;
  /** Request ids a previous run journaled that are not known to be in the sink yet. */
  private readonly recovered = new Set<string>();
  private replayTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly sink: SpendSink,
    private readonly onProblem: (message: string, detail: Record<string, unknown>) => void,
    private readonly options: SpendLogOptions = {},
  ) {
    this.spendJournal = options.journalDir ? new SpendJournal(options.journalDir, { onProblem, onError: options.onJournalError }) : undefined;
    this.writer = new BatchedWriter<SpendRecord>({
      write: async (rows) => {
        await sink.write(rows);
        this.acknowledge(rows);
      },
      onProblem,
      onDrop: options.onDrop,
      maxBuffer: options.maxBuffer,
      flushIntervalMs: options.flushIntervalMs,
    });
    for (const r of this.spendJournal?.pending() ?? []) this.recovered.add(r.requestId);
    if (this.recovered.size > 0) {
      onProblem('replaying spend records a previous run had not written to the sink', { records: this.recovered.size });
      void this.replay(0);
    }
  }

  /**
   * The request's record, now that it is over: appended to the journal (synchronously) and queued for the sink.
   *
   * @example spendLog.record(spendRecord(ctx, outcome, cost));
   */
  record(record: SpendRecord): void {
    this.spendJournal?.append(record);
    this.writer.push(record);
  }

  /**
   * Journal only: for the moment just before an answer's last byte, when the request is not over yet (its
   * `record` follows). If the process dies in between, the journaled record is what the next start replays.
   *
   * @example beforeAnswerEnd(ctx, usage) { spendLog.journal(spendRecord(ctx, …)); }
   */
  journal(record: SpendRecord): void {
    this.spendJournal?.append(record);
  }

  /**
   * Known spend of one key since a time, pico-dollars: what the sink holds plus what a previous run journaled
   * and the sink does not have yet. Those records are written first (idempotently), so nothing is counted twice.
   *
   * @example await spendLog.costSince('team-a', periodStart)
   */
  async costSince(keyName: string, since: number): Promise<number> {
    const mine = this.unreplayed().filter((r) => r.keyName === keyName && r.ts >= since);
    if (mine.length > 0) {
      await this.sink.write(mine);
      this.acknowledge(mine);
    }
    return this.sink.costSince(keyName, since);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.replayTimer) clearTimeout(this.replayTimer);
    await this.writer.close();
    // Whatever the sink did not take stays in the journal for the next start.
    this.spendJournal?.close();
    await this.sink.close();
  }

  private unreplayed(): SpendRecord[] {
    if (this.recovered.size === 0 || !this.spendJournal) return [];
    return this.spendJournal.pending().filter((r) => this.recovered.has(r.requestId));
  }

  private acknowledge(rows: readonly SpendRecord[]): void {
    const ids = rows.map((r) => r.requestId);
    for (const id of ids) this.recovered.delete(id);
    this.spendJournal?.acknowledge(ids);
  }

  /** Writes the recovered records in batches; a sink that is down is tried again with backoff until it takes them. */
  private async replay(failures: number): Promise<void> {
    if (this.closed) return;
    try {
      let rows = this.unreplayed();
      while (rows.length > 0 && !this.closed) {
        const batch = rows.slice(0, REPLAY_BATCH);
        await this.sink.write(batch);
        this.acknowledge(batch);
        rows = rows.slice(REPLAY_BATCH);
      }
      if (failures > 0) this.onProblem('journal replayed into the sink', {});
    } catch (err) {
      if (failures === 0) this.onProblem('cannot replay the spend journal into the sink yet; will retry', { error: (err as Error).message });
      const delay = Math.min(this.options.maxReplayDelayMs ?? 5_000, 100 * 2 ** failures);
      this.replayTimer = setTimeout(() => void this.replay(failures + 1), delay);
      this.replayTimer.unref();
    }
  }
}
