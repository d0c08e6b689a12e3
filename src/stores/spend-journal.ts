/**
 * A local append-only journal of spend records, so a served request's spend survives `kill -9` of the gateway.
 * Each record is appended with a synchronous write before the answer's last byte goes out. No fsync: a write
 * that returned is in the kernel's page cache, which outlives the process (only a machine crash or power loss
 * can drop it, and then the answer's bytes were most likely not delivered either). At start the records a
 * previous run left are read back for replay into the sink (idempotent on the request id); once the sink has
 * acknowledged a record it is forgotten, and a segment file whose records are all acknowledged is deleted
 * (or, for the file being written, truncated). A failing disk (full, read-only) is reported, never thrown.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SpendRecord } from './spend-sink';

export interface SpendJournalOptions {
  /** Told about problems (first of a run of failures, then every 1000th); never given the records. */
  onProblem?(message: string, detail: Record<string, unknown>): void;
  /** Told about every failed append (for a metric). */
  onError?(): void;
  /** Records per segment file before a new one is started (so acknowledged ones can be deleted). */
  segmentRecords?: number;
}

interface Segment {
  file: string;
  fd: number | undefined;
  /** Request ids in this file the sink has not acknowledged yet. */
  unacknowledged: Set<string>;
  records: number;
}

const SEGMENT_NAME = /^spend-(\d+)-(\d+)-(\d+)\.jsonl$/;

/** True when a process with this pid runs (a segment of another live gateway on the same directory is left alone). */
function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * @example
 * const journal = new SpendJournal('./data/spend-journal');
 * for (const r of journal.pending()) replay(r);   // what a previous run did not get into the sink
 * journal.append(record);                          // synchronous, before the answer ends
 * journal.acknowledge([record.requestId]);         // the sink has it
 */
export class SpendJournal {
  private readonly segments: Segment[] = [];
  private current: Segment | undefined;
  private readonly latest = new Map<string, SpendRecord>();
  private readonly segmentRecords: number;
  private readonly started = Date.now();
  private sequence = 0;
  private failures = 0;
  private closed = false;

  constructor(
    readonly dir: string,
    private readonly options: SpendJournalOptions = {},
  ) {
    this.segmentRecords = options.segmentRecords ?? 10_000;
    try {
      fs.mkdirSync(dir, { recursive: true });
      this.recover();
    } catch (err) {
      this.failed('cannot read the spend journal', err);
    }
  }

  /**
   * Records appended or recovered that the sink has not acknowledged, the newest of each request id. Recovered
   * ones may include records the last run had acknowledged (they shared a file with one it had not): replaying
   * them is harmless, the sink skips a request id it has.
   */
  pending(): SpendRecord[] {
    return [...this.latest.values()];
  }

  /** Appends one record synchronously; false (counted and reported) when the disk refused it. Never throws. */
  append(record: SpendRecord): boolean {
    if (this.closed) return false;
    try {
      const segment = this.writable();
      fs.writeSync(segment.fd!, JSON.stringify(record) + '\n');
      segment.records++;
      segment.unacknowledged.add(record.requestId);
      this.latest.set(record.requestId, record);
      if (this.failures > 0) {
        this.options.onProblem?.('spend journal writable again', { failures: this.failures });
        this.failures = 0;
      }
      return true;
    } catch (err) {
      this.failed('cannot append to the spend journal', err);
      return false;
    }
  }

  /** The sink stored these records: forget them, and delete (or truncate) the segment files left with none. */
  acknowledge(requestIds: Iterable<string>): void {
    for (const id of requestIds) {
      this.latest.delete(id);
      for (const s of this.segments) s.unacknowledged.delete(id);
    }
    for (const s of [...this.segments]) {
      if (s.unacknowledged.size > 0 || s.records === 0) continue;
      try {
        if (s === this.current) {
          // The file being appended to: emptied in place (O_APPEND writes continue at its new end).
          fs.ftruncateSync(s.fd!, 0);
          s.records = 0;
        } else {
          fs.unlinkSync(s.file);
          this.segments.splice(this.segments.indexOf(s), 1);
        }
      } catch (err) {
        this.failed('cannot trim the spend journal', err);
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const s of this.segments) {
      if (s.fd === undefined) continue;
      try {
        fs.closeSync(s.fd);
      } catch {
        // Already gone: nothing to release.
      }
      s.fd = undefined;
    }
  }

  /** The segment to append to, started anew once the current one is full. */
  private writable(): Segment {
    let s = this.current;
    if (s && s.records >= this.segmentRecords) {
      fs.closeSync(s.fd!);
      s.fd = undefined;
      s = undefined;
    }
    if (!s) {
      const file = path.join(this.dir, `spend-${process.pid}-${this.started}-${this.sequence++}.jsonl`);
      s = { file, fd: fs.openSync(file, 'a'), unacknowledged: new Set(), records: 0 };
      this.segments.push(s);
      this.current = s;
    }
    return s;
  }

  /** Reads the segments a previous run left (not those of another gateway still running on this directory). */
  private recover(): void {
    const names = fs
      .readdirSync(this.dir)
      .filter((n) => SEGMENT_NAME.test(n))
      .sort();
    for (const name of names) {
      const pid = Number(SEGMENT_NAME.exec(name)![1]);
      if (alive(pid)) continue;
      const file = path.join(this.dir, name);
      const segment: Segment = { file, fd: undefined, unacknowledged: new Set(), records: 0 };
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        let r: SpendRecord;
        try {
          r = JSON.parse(line) as SpendRecord;
        } catch {
          // The last line of a process killed mid-append; its request never got its answer's last byte.
          continue;
        }
        if (typeof r?.requestId !== 'string') continue;
        segment.records++;
        segment.unacknowledged.add(r.requestId);
        this.latest.set(r.requestId, r);
      }
      if (segment.records === 0) fs.unlinkSync(file);
      else this.segments.push(segment);
    }
  }

  private failed(message: string, err: unknown): void {
    this.failures++;
    this.options.onError?.();
    if (this.failures % 1000 === 1) this.options.onProblem?.(message, { error: (err as Error)?.message ?? String(err), failures: this.failures });
  }
}
