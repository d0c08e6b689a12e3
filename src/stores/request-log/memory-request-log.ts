/**
 * The request log in memory (`server.dashboard.store: memory`, and tests): the last N records in a fixed-size
 * ring, so memory is bounded whatever the traffic, and the per-minute rollup cells of the last week. Everything
 * is lost at restart and separate per process; SQLite or PostgreSQL keep it.
 */
import type { Overview, OverviewRange, RequestFilter, RequestLog, RequestRecord } from './request-record';
import { addRecord, emptyCell, MINUTE_MS, overviewOf, rangeCellsOf, windowOf, type KeyedCell } from './rollup';

const KEEP_MINUTES = 7 * 24 * 60;

/**
 * Whether a record passes a filter (the SQL stores say the same in their WHERE clause).
 *
 * @example matchesFilter(record, { status: 'error' })
 */
export function matchesFilter(r: RequestRecord, f: RequestFilter): boolean {
  if (f.key && r.key !== f.key) return false;
  if (f.alias && r.alias !== f.alias) return false;
  if (f.provider && r.provider !== f.provider) return false;
  if (f.status === 'ok' && r.status >= 400) return false;
  if (f.status === 'error' && r.status < 400) return false;
  if (f.status && /^\d{3}$/.test(f.status) && r.status !== Number(f.status)) return false;
  if (f.q && !r.id.toLowerCase().includes(f.q.toLowerCase())) return false;
  if (f.since !== undefined && r.time < f.since) return false;
  if (f.before !== undefined && !(r.time < f.before || (r.time === f.before && f.before_id !== undefined && r.id < f.before_id))) return false;
  return true;
}

/** Newest first: by time, then id, both descending (the order every store lists in). */
function newestFirst(a: RequestRecord, b: RequestRecord): number {
  return b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function withoutContent({ content: _c, ...rest }: RequestRecord): RequestRecord {
  return rest;
}

/**
 * @example
 * const log = new MemoryRequestLog(2000);
 * log.append(record);
 * await log.list({ alias: 'chat' }, 50);
 */
export class MemoryRequestLog implements RequestLog {
  readonly kind = 'memory';
  private readonly items: (RequestRecord | undefined)[];
  private readonly ids = new Set<string>();
  private next = 0;
  private count = 0;
  private readonly cells = new Map<string, KeyedCell>();

  constructor(readonly capacity: number) {
    this.items = new Array<RequestRecord | undefined>(capacity);
  }

  append(record: RequestRecord): void {
    if (this.ids.has(record.id)) return;
    const old = this.items[this.next];
    if (old) this.ids.delete(old.id);
    this.items[this.next] = record;
    this.ids.add(record.id);
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    this.addToRollup(record);
  }

  list(filter: RequestFilter, limit: number): Promise<RequestRecord[]> {
    return Promise.resolve(
      this.all()
        .filter((r) => matchesFilter(r, filter))
        .sort(newestFirst)
        .slice(0, limit)
        .map(withoutContent),
    );
  }

  get(id: string): Promise<RequestRecord | undefined> {
    return Promise.resolve(this.ids.has(id) ? this.all().find((r) => r.id === id) : undefined);
  }

  async *scan(since: number, until: number): AsyncIterable<RequestRecord> {
    const records = this.all()
      .filter((r) => r.time >= since && r.time < until)
      .sort((a, b) => -newestFirst(a, b));
    for (const r of records) yield await Promise.resolve(r);
  }

  overview(range: OverviewRange, now: number): Promise<Overview> {
    const w = windowOf(range, now);
    return Promise.resolve(overviewOf(range, w, rangeCellsOf(w, this.cells.values())));
  }

  purge(before: number): Promise<number> {
    let n = 0;
    for (let i = 0; i < this.capacity; i++) {
      const r = this.items[i];
      if (r && r.time < before) {
        this.items[i] = undefined;
        this.ids.delete(r.id);
        n++;
      }
    }
    // The ring keeps its slots; holes are skipped when listing and refilled as new records arrive.
    const minute = Math.floor(before / MINUTE_MS);
    for (const [k, c] of this.cells) if (c.minute < minute) this.cells.delete(k);
    return Promise.resolve(n);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** The records held, in ring order. */
  private all(): RequestRecord[] {
    const out: RequestRecord[] = [];
    for (let i = 1; i <= this.count; i++) {
      const r = this.items[(this.next - i + this.capacity) % this.capacity];
      if (r) out.push(r);
    }
    return out;
  }

  private addToRollup(r: RequestRecord): void {
    const minute = Math.floor(r.time / MINUTE_MS);
    const key = `${minute}\u0000${r.alias ?? ''}\u0000${r.provider ?? ''}`;
    let cell = this.cells.get(key);
    if (!cell) {
      this.cells.set(key, (cell = { minute, alias: r.alias ?? '', provider: r.provider ?? '', ...emptyCell() }));
      // Cells older than a week are of no range any more (Map order is insertion order, roughly by time).
      for (const [k, c] of this.cells) {
        if (c.minute > minute - KEEP_MINUTES) break;
        this.cells.delete(k);
      }
    }
    addRecord(cell, r);
  }
}
