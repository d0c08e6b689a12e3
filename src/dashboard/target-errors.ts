/**
 * Attempt failures per target over the last hour, by kind, with the last error's (already redacted) message:
 * the Providers page's "errors by kind". Fed once per finished request from its attempt records (state.ts),
 * kept in per-minute buckets; bounded in targets (wildcard aliases take any model name) and in time. With
 * `--workers` each worker sends the others its new counts (cluster/dashboard-sync.ts), which they add to their own,
 * so every worker's page counts all workers' errors; a worker that exits leaves its counts behind (they happened).
 */
import type { AttemptRecord, RequestOutcome } from '../pipeline/types';
import { redactSecrets } from '../observability/redact';
import { targetKey } from '../routing/routing-state';

const MINUTE_MS = 60_000;
/** Minutes counted: the page shows the last hour. */
const WINDOW_MINUTES = 60;
/** Targets kept; past it the one with the oldest attempt is dropped. */
const MAX_TARGETS = 1000;
/** The kind a stream that failed after its first chunk counts as: its attempt had already succeeded. */
export const MID_STREAM = 'mid_stream';

interface Bucket {
  minute: number;
  attempts: number;
  failures: number;
  kinds: Map<string, number>;
}

interface Entry {
  buckets: (Bucket | undefined)[];
  last?: { at: number; kind: string; message: string };
}

/** One target's new counts in one minute, as a worker sends them to the others. */
export interface MinuteCounts {
  minute: number;
  attempts: number;
  failures: number;
  kinds: Record<string, number>;
}

/** What one worker counted since its last report: per target, its minutes and its last error (already redacted). */
export type ErrorsReport = { target: string; minutes: MinuteCounts[]; last?: { at: number; kind: string; message: string } }[];

/** One target's last hour, as the page shows it. */
export interface TargetErrorsView {
  target: string;
  attempts: number;
  failures: number;
  /** Failures by kind: `network`, `first_byte_timeout`, `status 503`, `mid_stream`, … */
  by_kind: Record<string, number>;
  last_error: { at: string; kind: string; message: string } | null;
}

/** `status 503` for an HTTP error, else the failure's kind (`other` for a plugin's own refusal of an attempt). */
function kindLabel(a: AttemptRecord): string {
  if (a.kind === 'status') return a.status === undefined ? 'status' : `status ${a.status}`;
  return a.kind ?? 'other';
}

/**
 * @example
 * const errors = new TargetErrors();
 * errors.record(ctx.attempts, outcome, Date.now());
 * errors.describe(Date.now()) // [{ target: 'up/gpt-4o', attempts: 3, failures: 1, by_kind: { 'status 503': 1 }, last_error: {…} }]
 */
export class TargetErrors {
  private readonly targets = new Map<string, Entry>();
  /** Set by cluster/dashboard-sync.ts in a worker: collect this process's own counts for `report`. */
  sharing = false;
  private pending: ErrorsReport = [];
  private readonly pendingOf = new Map<string, ErrorsReport[number]>();

  /** Counts every called attempt of one finished request (skipped targets were not asked, so they are left out). */
  record(attempts: readonly AttemptRecord[], outcome: RequestOutcome, now: number): void {
    for (const a of attempts) {
      if (a.skipped) continue;
      const failed = !a.ok;
      this.add(targetKey(a), now, failed ? kindLabel(a) : undefined, a.reason);
    }
    // A stream that failed after it started: its attempt counted as a success, the failure is the served target's.
    if (outcome.error && !outcome.completed && outcome.status === 200) {
      const served = [...attempts].reverse().find((a) => a.ok);
      if (served) this.add(targetKey(served), now, MID_STREAM, outcome.error.message, false);
    }
  }

  describe(now: number): TargetErrorsView[] {
    const since = Math.floor(now / MINUTE_MS) - WINDOW_MINUTES;
    const out: TargetErrorsView[] = [];
    for (const [target, e] of this.targets) {
      const view: TargetErrorsView = { target, attempts: 0, failures: 0, by_kind: {}, last_error: null };
      for (const b of e.buckets) {
        if (!b || b.minute <= since) continue;
        view.attempts += b.attempts;
        view.failures += b.failures;
        for (const [kind, n] of b.kinds) view.by_kind[kind] = (view.by_kind[kind] ?? 0) + n;
      }
      if (e.last && e.last.at > since * MINUTE_MS) view.last_error = { at: new Date(e.last.at).toISOString(), kind: e.last.kind, message: e.last.message };
      if (view.attempts > 0 || view.failures > 0) out.push(view);
    }
    return out.sort((a, b) => b.failures - a.failures || a.target.localeCompare(b.target));
  }

  /** This process's counts since the last call (empty when nothing was counted), for the other workers. */
  report(): ErrorsReport {
    const out = this.pending;
    this.pending = [];
    this.pendingOf.clear();
    return out;
  }

  /** Adds another worker's report to these counts; its last error replaces this one's when newer. */
  applyPeer(report: ErrorsReport): void {
    for (const t of report) {
      const e = this.entry(t.target);
      for (const m of t.minutes) {
        const b = this.bucket(e, m.minute);
        if (!b) continue;
        b.attempts += m.attempts;
        b.failures += m.failures;
        for (const [kind, n] of Object.entries(m.kinds)) b.kinds.set(kind, (b.kinds.get(kind) ?? 0) + n);
      }
      if (t.last && (!e.last || t.last.at > e.last.at)) e.last = t.last;
    }
  }

  private add(target: string, now: number, kind: string | undefined, reason: string | undefined, isAttempt = true): void {
    const e = this.entry(target);
    const minute = Math.floor(now / MINUTE_MS);
    const b = this.bucket(e, minute, true)!;
    const mine = this.sharing ? this.pendingMinute(target, minute) : undefined;
    if (isAttempt) {
      b.attempts++;
      if (mine) mine.attempts++;
    }
    if (kind === undefined) return;
    b.failures++;
    b.kinds.set(kind, (b.kinds.get(kind) ?? 0) + 1);
    // The reason came from an AttemptFailure (redacted when made); redacted again for any other source.
    e.last = { at: now, kind, message: redactSecrets(reason ?? kind).slice(0, 500) };
    if (!mine) return;
    mine.failures++;
    mine.kinds[kind] = (mine.kinds[kind] ?? 0) + 1;
    this.pendingOf.get(target)!.last = e.last;
  }

  private entry(target: string): Entry {
    const e = this.targets.get(target) ?? { buckets: new Array<Bucket | undefined>(WINDOW_MINUTES) };
    // Re-inserted so the map's order is oldest activity first, which is what gets dropped.
    this.targets.delete(target);
    this.targets.set(target, e);
    if (this.targets.size > MAX_TARGETS) this.targets.delete(this.targets.keys().next().value as string);
    return e;
  }

  /**
   * The bucket of `minute`, emptied when its slot held another minute; for a peer's minute older than the slot's
   * (a late report, past the hour), undefined: it is not counted rather than wiping newer counts.
   */
  private bucket(e: Entry, minute: number, own = false): Bucket | undefined {
    const slot = minute % WINDOW_MINUTES;
    const b = e.buckets[slot];
    if (b && b.minute === minute) return b;
    if (b && b.minute > minute && !own) return undefined;
    return (e.buckets[slot] = { minute, attempts: 0, failures: 0, kinds: new Map() });
  }

  private pendingMinute(target: string, minute: number): MinuteCounts {
    let t = this.pendingOf.get(target);
    if (!t) {
      this.pendingOf.set(target, (t = { target, minutes: [] }));
      this.pending.push(t);
    }
    let m = t.minutes.find((x) => x.minute === minute);
    if (!m) t.minutes.push((m = { minute, attempts: 0, failures: 0, kinds: {} }));
    return m;
  }
}

// Keyed by the dashboard state (state.ts) without importing it: state.ts calls in here.
const books = new WeakMap<object, TargetErrors>();

/**
 * Called with each book made (cluster/dashboard-sync.ts shares them in a worker); unset in a single process.
 *
 * @example newBooks.onMade = (book) => { book.sharing = true; };
 */
export const newBooks: { onMade?: (book: TargetErrors) => void } = {};

/**
 * The error counts of one gateway's dashboard, made on first use.
 *
 * @example targetErrorsOf(state).describe(state.now())
 */
export function targetErrorsOf(state: object): TargetErrors {
  let book = books.get(state);
  if (!book) {
    books.set(state, (book = new TargetErrors()));
    newBooks.onMade?.(book);
  }
  return book;
}
