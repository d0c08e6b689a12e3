/**
 * The time window a replay reads: `--since 7d` (a duration back from now, or an ISO date) up to `--until`
 * (the same forms; now when absent).
 */

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A replay window, ms since epoch: records with `since <= time < until`. */
export interface ReplayWindow {
  since: number;
  until: number;
}

/**
 * One bound: a duration back from `now` (`90m`, `24h`, `7d`, `2w`) or a date (`2026-11-24`, an ISO timestamp).
 * Undefined when it is neither.
 *
 * @example parseWindowBound('7d', Date.parse('2026-12-01T00:00:00Z')) // Date.parse('2026-11-24T00:00:00Z')
 */
export function parseWindowBound(text: string, now: number): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim());
  if (m) return now - Number(m[1]) * UNIT_MS[m[2]];
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return undefined;
  const t = Date.parse(text.trim());
  return Number.isFinite(t) ? t : undefined;
}

/**
 * The window of `since` / `until`, or the name of the bound that does not parse (or an empty window).
 *
 * @example replayWindow('7d', undefined, now) // { since: now - 7 * 86_400_000, until: now }
 */
export function replayWindow(since: string, until: string | undefined, now: number): ReplayWindow | { bad: 'since' | 'until'; why: string } {
  const s = parseWindowBound(since, now);
  if (s === undefined) return { bad: 'since', why: `"${since.slice(0, 40)}" is neither a duration (90m, 24h, 7d, 2w) nor a date (2026-11-24)` };
  const u = until === undefined || until === '' ? now : parseWindowBound(until, now);
  if (u === undefined) return { bad: 'until', why: `"${until!.slice(0, 40)}" is neither a duration (90m, 24h, 7d, 2w) nor a date (2026-11-24)` };
  if (u <= s) return { bad: 'until', why: 'the window is empty: --until must come after --since' };
  return { since: s, until: u };
}
