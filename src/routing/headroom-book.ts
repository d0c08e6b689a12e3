/**
 * The rate-limit headroom an upstream last reported, per provider and model, with when it was seen: the
 * dashboard's Providers page shows it (remaining of limit, and the time to the reset as of now). Fed from the
 * one place that sees a model call's response headers (call-target.ts); one book per provider, kept across
 * reloads in the state registry. With `--workers` each worker sends the others what it saw (cluster/dashboard-sync.ts);
 * per model the newest report wins, whichever worker saw it.
 */
import type { RateLimitBudget, RateLimitHeadroom } from '../providers/rate-limit-headers';

/** The model key when the caller did not say which model it asked for (a native Responses call). */
export const ANY_MODEL = '*';

/** Models one provider keeps headroom for; past it the longest unseen is dropped (wildcard aliases take any name). */
const MAX_MODELS = 200;

interface Seen {
  at: number;
  headroom: RateLimitHeadroom;
}

/** One model's report as a worker sends it to the others. */
export interface HeadroomReport {
  model: string;
  at: number;
  headroom: RateLimitHeadroom;
}

/** One budget as the page shows it: the reset counted down to `now`. */
export interface BudgetView {
  limit: number | null;
  remaining: number | null;
  /** Seconds until the budget refills, as of now (0 once passed); null when the upstream did not say. */
  reset_s: number | null;
}

/** One model's last report. */
export interface HeadroomView {
  model: string;
  /** ISO time the headers were seen. */
  seen_at: string;
  budgets: Partial<Record<keyof RateLimitHeadroom, BudgetView>>;
}

/**
 * @example
 * const book = new HeadroomBook();
 * book.note('gpt-4o', { requests: { limit: 500, remaining: 499, resetMs: 120 } }, Date.now());
 * book.describe(Date.now()) // [{ model: 'gpt-4o', seen_at: '…', budgets: { requests: { limit: 500, remaining: 499, reset_s: 0.1 } } }]
 */
export class HeadroomBook {
  private readonly models = new Map<string, Seen>();
  /** Set by cluster/dashboard-sync.ts in a worker: keep this process's own reports for `report`. */
  sharing = false;
  private readonly pending = new Map<string, Seen>();

  note(model: string | undefined, headroom: RateLimitHeadroom, at: number): void {
    const key = model ?? ANY_MODEL;
    this.keep(key, { at, headroom });
    if (this.sharing) this.pending.set(key, { at, headroom });
  }

  /** The latest report per model this process saw since the last call (empty when none), for the other workers. */
  report(): HeadroomReport[] {
    const out = [...this.pending].map(([model, seen]) => ({ model, ...seen }));
    this.pending.clear();
    return out;
  }

  /** Another worker's reports: each replaces this book's of the same model when newer. */
  applyPeer(reports: readonly HeadroomReport[]): void {
    for (const r of reports) {
      const mine = this.models.get(r.model);
      if (!mine || r.at > mine.at) this.keep(r.model, { at: r.at, headroom: r.headroom });
    }
  }

  private keep(key: string, seen: Seen): void {
    // Re-inserted so the map's order is least recently seen first, which is what gets dropped.
    this.models.delete(key);
    this.models.set(key, seen);
    if (this.models.size > MAX_MODELS) this.models.delete(this.models.keys().next().value as string);
  }

  describe(now: number): HeadroomView[] {
    return [...this.models].map(([model, seen]) => ({
      model,
      seen_at: new Date(seen.at).toISOString(),
      budgets: Object.fromEntries(Object.entries(seen.headroom).map(([name, b]) => [name, budgetView(b as RateLimitBudget, now - seen.at)])),
    }));
  }
}

function budgetView(b: RateLimitBudget, ageMs: number): BudgetView {
  return {
    limit: b.limit ?? null,
    remaining: b.remaining ?? null,
    reset_s: b.resetMs === undefined ? null : Math.max(0, Math.round((b.resetMs - ageMs) / 100) / 10),
  };
}
