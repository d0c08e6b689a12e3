/**
 * Budget periods in UTC: the current day, the current month, or all time. A period has an id (part of the
 * counter's name, so a new month starts a new counter) and a start (for restoring spend from the sink).
 */

export type BudgetPeriod = 'daily' | 'monthly' | 'total';

export interface PeriodWindow {
  /** "d2026-11-28", "m2026-11" or "total". */
  id: string;
  /** Start of the period, ms since epoch. */
  start: number;
  /** How long the counter must live: until the period ends, plus a day of slack; undefined for "total". */
  ttlMs?: number;
  /** The way a message names it: "daily", "monthly", "total". */
  name: BudgetPeriod;
}

const DAY_MS = 86_400_000;

/**
 * @example periodWindow('monthly', Date.UTC(2026, 10, 28)) // { id: 'm2026-11', start: Date.UTC(2026, 10, 1), … }
 */
export function periodWindow(period: BudgetPeriod, now: number): PeriodWindow {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const pad = (n: number) => String(n).padStart(2, '0');
  if (period === 'daily') {
    const start = Date.UTC(y, m, d.getUTCDate());
    return { id: `d${y}-${pad(m + 1)}-${pad(d.getUTCDate())}`, start, ttlMs: start + 2 * DAY_MS - now, name: period };
  }
  if (period === 'monthly') {
    const start = Date.UTC(y, m, 1);
    return { id: `m${y}-${pad(m + 1)}`, start, ttlMs: Date.UTC(y, m + 1, 1) + DAY_MS - now, name: period };
  }
  return { id: 'total', start: 0, name: period };
}
