/**
 * The Overview's arithmetic, shared by every request log: finished requests summed per minute × alias × provider
 * into cells (count, errors, latency and TTFB histograms, tokens, cost in pico-dollars), and the page's points,
 * totals and groups assembled from the cells of a range. The SQL stores keep the cells in tables (upserted with
 * addition in the batch that inserts the records); the memory store keeps them in a map. A range's cost is
 * bounded by its cells, never by the traffic.
 */
import type { Overview, OverviewGroup, OverviewPoint, OverviewRange, RequestRecord } from './request-record';

export const MINUTE_MS = 60_000;

/** The rollups a SQL store keeps, by their width in minutes: one per point width of the Overview's ranges. */
export const ROLLUP_UNITS = { minute: 1, quarter: 15, hour: 60 } as const;
export type RollupUnit = keyof typeof ROLLUP_UNITS;

/** Latency histogram bucket upper bounds, ms: ×1.3 steps from 1 ms to ~10 min; percentiles read the bound. */
export const BOUNDS: readonly number[] = (() => {
  const bounds: number[] = [];
  for (let b = 1; b < 600_000; b *= 1.3) bounds.push(Math.round(b * 10) / 10);
  bounds.push(Infinity);
  return bounds;
})();

/** The histogram bucket of a duration. @example bucketOf(0.4) // 0 (≤ 1 ms) */
export function bucketOf(ms: number): number {
  let lo = 0;
  let hi = BOUNDS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms <= BOUNDS[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The sums of some requests: one minute of one alias and provider, or a whole point of the page. */
export interface RollupCell {
  requests: number;
  errors: number;
  latency: number[];
  ttfb: number[];
  tokens: number;
  costPico: bigint;
}

/** The cell of one minute × alias × provider; '' stands for "none" (a request refused before routing). */
export interface KeyedCell extends RollupCell {
  minute: number;
  alias: string;
  provider: string;
}

/** @example const sum = emptyCell(); addCell(sum, other) */
export function emptyCell(): RollupCell {
  return { requests: 0, errors: 0, latency: new Array<number>(BOUNDS.length).fill(0), ttfb: new Array<number>(BOUNDS.length).fill(0), tokens: 0, costPico: 0n };
}

/** Adds `from` into `into`. @example addCell(total, minute) */
export function addCell(into: RollupCell, from: RollupCell): void {
  into.requests += from.requests;
  into.errors += from.errors;
  into.tokens += from.tokens;
  into.costPico += from.costPico;
  for (let i = 0; i < BOUNDS.length; i++) {
    into.latency[i] += from.latency[i];
    into.ttfb[i] += from.ttfb[i];
  }
}

/** USD as whole pico-dollars, the unit the stores sum in (exact, unlike a float sum). @example picoOf(0.0125) // 12500000000n */
export function picoOf(usd: number | undefined): bigint {
  return usd === undefined || !Number.isFinite(usd) ? 0n : BigInt(Math.round(usd * 1e12));
}

/** Adds one finished request to a cell. @example addRecord(cell, record) */
export function addRecord(cell: RollupCell, r: RequestRecord): void {
  cell.requests++;
  if (r.status >= 400) cell.errors++;
  cell.latency[bucketOf(r.latency_ms)]++;
  if (r.ttfb_ms !== undefined) cell.ttfb[bucketOf(r.ttfb_ms)]++;
  cell.tokens += (r.prompt_tokens ?? 0) + (r.completion_tokens ?? 0);
  cell.costPico += picoOf(r.cost_usd);
}

/**
 * The records summed per minute × alias × provider, in key order (so two writers upsert rows in the same order
 * and never deadlock each other), at `minutes` per cell: 1, 15 or 60 for the minute, quarter and hour rollups.
 *
 * @example cellsOf(batch, 1) // [{ minute: 29410560, alias: 'chat', provider: 'openai', requests: 12, … }]
 */
export function cellsOf(records: readonly RequestRecord[], minutes = 1): KeyedCell[] {
  const cells = new Map<string, KeyedCell>();
  for (const r of records) {
    const minute = Math.floor(r.time / MINUTE_MS / minutes) * minutes;
    const alias = r.alias ?? '';
    const provider = r.provider ?? '';
    const key = `${minute}\u0000${alias}\u0000${provider}`;
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { minute, alias, provider, ...emptyCell() }));
    addRecord(cell, r);
  }
  return [...cells.values()].sort((a, b) => a.minute - b.minute || cmp(a.alias, b.alias) || cmp(a.provider, b.provider));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function percentile(hist: number[], q: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i];
    if (seen >= q * total) return BOUNDS[i] === Infinity ? BOUNDS[i - 1] : BOUNDS[i];
  }
  return null;
}

/** Which minutes a range covers and how they are grouped into points. */
export interface RangeWindow {
  /** First and last minute (minutes since epoch), both included; `first` is a multiple of `step`. */
  first: number;
  last: number;
  /** Minutes per point. */
  step: number;
  /** The rollup whose rows are exactly the points (a SQL store reads only that table). */
  unit: RollupUnit;
}

const RANGES: Record<OverviewRange, { minutes: number; step: number }> = {
  hour: { minutes: 60, step: 1 },
  day: { minutes: 24 * 60, step: 15 },
  week: { minutes: 7 * 24 * 60, step: 60 },
};

/**
 * The minutes of a range ending now: whole steps, the last one holding the current minute, so a range has
 * exactly minutes/step points.
 *
 * @example windowOf('day', Date.now()).step // 15
 */
export function windowOf(range: OverviewRange, now: number): RangeWindow {
  const { minutes, step } = RANGES[range];
  const last = Math.floor(now / MINUTE_MS);
  const first = last - (((last % step) + step) % step) - (minutes / step - 1) * step;
  const unit = (Object.keys(ROLLUP_UNITS) as RollupUnit[]).find((u) => ROLLUP_UNITS[u] === step)!;
  return { first, last, step, unit };
}

/** What a store reads for a range: each point's cell by its first minute, and requests/errors per alias and provider. */
export interface RangeCells {
  points: Map<number, RollupCell>;
  byAlias: Map<string, { requests: number; errors: number }>;
  byProvider: Map<string, { requests: number; errors: number }>;
}

function groups(map: RangeCells['byAlias']): OverviewGroup[] {
  return [...map]
    .filter(([name]) => name !== '')
    .map(([name, t]) => ({ name, requests: t.requests, errors: t.errors, error_rate: t.requests ? t.errors / t.requests : 0 }))
    .sort((a, b) => b.requests - a.requests || cmp(a.name, b.name));
}

/** Pico-dollars as USD. @example usdOf(12500000000n) // 0.0125 */
export function usdOf(pico: bigint): number {
  return Number(pico) / 1e12;
}

/**
 * The Overview of a range from the cells a store read for it.
 *
 * @example const w = windowOf('hour', now); overviewOf('hour', w, await readCells(w))
 */
export function overviewOf(range: OverviewRange, w: RangeWindow, cells: RangeCells): Overview {
  const points: OverviewPoint[] = [];
  const all = emptyCell();
  const seconds = w.step * 60;
  for (let start = w.first; start <= w.last; start += w.step) {
    const p = cells.points.get(start) ?? emptyCell();
    addCell(all, p);
    points.push({
      t: start * MINUTE_MS,
      requests_per_s: p.requests / seconds,
      error_rate: p.requests ? p.errors / p.requests : null,
      p50_ms: percentile(p.latency, 0.5),
      p95_ms: percentile(p.latency, 0.95),
      ttfb_p50_ms: percentile(p.ttfb, 0.5),
      ttfb_p95_ms: percentile(p.ttfb, 0.95),
      tokens_per_s: p.tokens / seconds,
      spend_usd_per_hour: (usdOf(p.costPico) * 60) / w.step,
    });
  }
  return {
    range,
    step_s: seconds,
    points,
    totals: {
      requests: all.requests,
      errors: all.errors,
      error_rate: all.requests ? all.errors / all.requests : null,
      p50_ms: percentile(all.latency, 0.5),
      p95_ms: percentile(all.latency, 0.95),
      ttfb_p50_ms: percentile(all.ttfb, 0.5),
      ttfb_p95_ms: percentile(all.ttfb, 0.95),
      tokens: all.tokens,
      cost_usd: Math.round(usdOf(all.costPico) * 1e9) / 1e9,
    },
    by_alias: groups(cells.byAlias),
    by_provider: groups(cells.byProvider),
  };
}

/**
 * Folds minute cells into the cells of a range (what the memory store and tests do; the SQL stores let the
 * database sum).
 *
 * @example rangeCellsOf(windowOf('hour', now), minuteCells)
 */
export function rangeCellsOf(w: RangeWindow, cells: Iterable<KeyedCell>): RangeCells {
  const out: RangeCells = { points: new Map(), byAlias: new Map(), byProvider: new Map() };
  for (const c of cells) {
    if (c.minute < w.first || c.minute > w.last) continue;
    const start = w.first + Math.floor((c.minute - w.first) / w.step) * w.step;
    let p = out.points.get(start);
    if (!p) out.points.set(start, (p = emptyCell()));
    addCell(p, c);
    tally(out.byAlias, c.alias, c);
    tally(out.byProvider, c.provider, c);
  }
  return out;
}

/** @example tally(byAlias, 'chat', { requests: 3, errors: 1 }) */
export function tally(map: RangeCells['byAlias'], name: string, t: { requests: number; errors: number }): void {
  const into = map.get(name);
  if (into) {
    into.requests += t.requests;
    into.errors += t.errors;
  } else map.set(name, { requests: t.requests, errors: t.errors });
}
