/**
 * The Overview page's series: finished requests summed per minute (count, errors, latency and TTFB histograms,
 * tokens, cost, per alias and per provider), kept for a week in memory. A page asks for the last hour, day or
 * week and gets fixed-width points merged from those minutes, so its cost is bounded by the range, never by
 * the traffic. Counts start with the process (the spend page reads the durable sink).
 */
import type { RecentRequest } from './request-ring';

const MINUTE = 60_000;
const KEEP_MINUTES = 7 * 24 * 60;
/** Latency histogram bucket upper bounds, ms: ×1.3 steps from 1 ms to ~10 min; percentiles read the bound. */
const BOUNDS: number[] = [];
for (let b = 1; b < 600_000; b *= 1.3) BOUNDS.push(Math.round(b * 10) / 10);
BOUNDS.push(Infinity);

function bucketOf(ms: number): number {
  let lo = 0;
  let hi = BOUNDS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms <= BOUNDS[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface Tally {
  requests: number;
  errors: number;
}

interface Minute extends Tally {
  latency: number[];
  ttfb: number[];
  tokens: number;
  costUsd: number;
  byAlias: Map<string, Tally>;
  byProvider: Map<string, Tally>;
}

function newMinute(): Minute {
  return {
    requests: 0,
    errors: 0,
    latency: new Array<number>(BOUNDS.length).fill(0),
    ttfb: new Array<number>(BOUNDS.length).fill(0),
    tokens: 0,
    costUsd: 0,
    byAlias: new Map(),
    byProvider: new Map(),
  };
}

function tally(map: Map<string, Tally>, name: string, error: boolean): void {
  let t = map.get(name);
  if (!t) map.set(name, (t = { requests: 0, errors: 0 }));
  t.requests++;
  if (error) t.errors++;
}

function merge(map: Map<string, Tally>, name: string, from: Tally): void {
  const t = map.get(name);
  if (t) {
    t.requests += from.requests;
    t.errors += from.errors;
  } else map.set(name, { requests: from.requests, errors: from.errors });
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

export type OverviewRange = 'hour' | 'day' | 'week';
const RANGES: Record<OverviewRange, { minutes: number; step: number }> = {
  hour: { minutes: 60, step: 1 },
  day: { minutes: 24 * 60, step: 15 },
  week: { minutes: KEEP_MINUTES, step: 60 },
};

export interface OverviewPoint {
  /** Start of the point, ms since epoch. */
  t: number;
  requests_per_s: number;
  error_rate: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  ttfb_p50_ms: number | null;
  tokens_per_s: number;
  spend_usd_per_hour: number;
}

export interface OverviewGroup {
  name: string;
  requests: number;
  errors: number;
  error_rate: number;
}

export interface Overview {
  range: OverviewRange;
  step_s: number;
  points: OverviewPoint[];
  totals: {
    requests: number;
    errors: number;
    error_rate: number | null;
    p50_ms: number | null;
    p95_ms: number | null;
    ttfb_p50_ms: number | null;
    tokens: number;
    cost_usd: number;
  };
  by_alias: OverviewGroup[];
  by_provider: OverviewGroup[];
}

function groups(map: Map<string, Tally>): OverviewGroup[] {
  return [...map]
    .map(([name, t]) => ({ name, requests: t.requests, errors: t.errors, error_rate: t.requests ? t.errors / t.requests : 0 }))
    .sort((a, b) => b.requests - a.requests);
}

export class Rollup {
  private readonly minutes = new Map<number, Minute>();

  /** @example rollup.add(entry) */
  add(r: RecentRequest): void {
    const m = Math.floor(r.time / MINUTE);
    let minute = this.minutes.get(m);
    if (!minute) {
      this.minutes.set(m, (minute = newMinute()));
      for (const old of this.minutes.keys()) {
        if (old > m - KEEP_MINUTES) break;
        this.minutes.delete(old);
      }
    }
    const error = r.status >= 400;
    minute.requests++;
    if (error) minute.errors++;
    minute.latency[bucketOf(r.latency_ms)]++;
    const ttfb = r.attempts.find((a) => a.ok)?.ttfb_ms;
    if (ttfb !== undefined) minute.ttfb[bucketOf(ttfb)]++;
    minute.tokens += (r.prompt_tokens ?? 0) + (r.completion_tokens ?? 0);
    minute.costUsd += r.cost_usd ?? 0;
    if (r.alias) tally(minute.byAlias, r.alias, error);
    if (r.provider) tally(minute.byProvider, r.provider, error);
  }

  /**
   * Points and totals for the last hour, day or week, optionally for one alias or provider only.
   *
   * @example rollup.overview('hour', Date.now())
   */
  overview(range: OverviewRange, now: number): Overview {
    const { minutes, step } = RANGES[range];
    const last = Math.floor(now / MINUTE);
    // Points are whole steps; the last one holds the current minute, so a range has exactly minutes/step points.
    const alignedFirst = last - (((last % step) + step) % step) - (minutes / step - 1) * step;
    const first = alignedFirst;
    const points: OverviewPoint[] = [];
    const all = newMinute();
    for (let start = alignedFirst; start <= last; start += step) {
      const p = newMinute();
      for (let m = start; m < start + step; m++) {
        const minute = this.minutes.get(m);
        if (!minute || m < first) continue;
        for (const target of [p, all]) {
          target.requests += minute.requests;
          target.errors += minute.errors;
          target.tokens += minute.tokens;
          target.costUsd += minute.costUsd;
          for (let i = 0; i < BOUNDS.length; i++) {
            target.latency[i] += minute.latency[i];
            target.ttfb[i] += minute.ttfb[i];
          }
        }
        for (const [n, t] of minute.byAlias) merge(all.byAlias, n, t);
        for (const [n, t] of minute.byProvider) merge(all.byProvider, n, t);
      }
      const seconds = step * 60;
      points.push({
        t: start * MINUTE,
        requests_per_s: p.requests / seconds,
        error_rate: p.requests ? p.errors / p.requests : null,
        p50_ms: percentile(p.latency, 0.5),
        p95_ms: percentile(p.latency, 0.95),
        ttfb_p50_ms: percentile(p.ttfb, 0.5),
        tokens_per_s: p.tokens / seconds,
        spend_usd_per_hour: (p.costUsd * 60) / step,
      });
    }
    return {
      range,
      step_s: step * 60,
      points,
      totals: {
        requests: all.requests,
        errors: all.errors,
        error_rate: all.requests ? all.errors / all.requests : null,
        p50_ms: percentile(all.latency, 0.5),
        p95_ms: percentile(all.latency, 0.95),
        ttfb_p50_ms: percentile(all.ttfb, 0.5),
        tokens: all.tokens,
        cost_usd: Math.round(all.costUsd * 1e9) / 1e9,
      },
      by_alias: groups(all.byAlias),
      by_provider: groups(all.byProvider),
    };
  }
}
