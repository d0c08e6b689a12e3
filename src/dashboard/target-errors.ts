/**
 * Attempt failures per target over the last hour, by kind, with the last error's (already redacted) message:
 * the Providers page's "errors by kind". Fed once per finished request from its attempt records (state.ts),
 * kept in per-minute buckets; bounded in targets (wildcard aliases take any model name) and in time.
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

  private add(target: string, now: number, kind: string | undefined, reason: string | undefined, isAttempt = true): void {
    const e = this.targets.get(target) ?? { buckets: new Array<Bucket | undefined>(WINDOW_MINUTES) };
    // Re-inserted so the map's order is oldest activity first, which is what gets dropped.
    this.targets.delete(target);
    this.targets.set(target, e);
    if (this.targets.size > MAX_TARGETS) this.targets.delete(this.targets.keys().next().value as string);
    const minute = Math.floor(now / MINUTE_MS);
    const slot = minute % WINDOW_MINUTES;
    let b = e.buckets[slot];
    if (!b || b.minute !== minute) e.buckets[slot] = b = { minute, attempts: 0, failures: 0, kinds: new Map() };
    if (isAttempt) b.attempts++;
    if (kind === undefined) return;
    b.failures++;
    b.kinds.set(kind, (b.kinds.get(kind) ?? 0) + 1);
    // The reason came from an AttemptFailure (redacted when made); redacted again for any other source.
    e.last = { at: now, kind, message: redactSecrets(reason ?? kind).slice(0, 500) };
  }
}

// Keyed by the dashboard state (state.ts) without importing it: state.ts calls in here.
const books = new WeakMap<object, TargetErrors>();

/**
 * The error counts of one gateway's dashboard, made on first use.
 *
 * @example targetErrorsOf(state).describe(state.now())
 */
export function targetErrorsOf(state: object): TargetErrors {
  let book = books.get(state);
  if (!book) books.set(state, (book = new TargetErrors()));
  return book;
}
