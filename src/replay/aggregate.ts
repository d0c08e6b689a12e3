/**
 * Sums recorded requests and their replayed outcomes per alias and in total: what actually happened beside what
 * the candidate would have done, and the difference.
 */
import type { RequestRecord } from '../stores/request-log/request-record';
import { picoToUsd, usdToPico } from '../pricing/money';
import { isEvidence, failureClassOf } from './behaviour';
import type { SimulatedRequest } from './simulate';

/** One side of the comparison. Counts of the candidate side are expected values, so they may be fractional. */
export interface ReplaySide {
  /** Answered requests. */
  served: number;
  /** Requests the client got an error for. */
  failed: number;
  /** Those errors by code (or upstream status). */
  errors: Record<string, number>;
  /** Failed tries at targets, recovered or not, by failure (HTTP status or kind). */
  attempt_failures: Record<string, number>;
  /** USD of the priced answers; null when every answer was unpriced (unknown, never $0). */
  cost_usd: number | null;
  /** Answered requests without a price: their cost is unknown, and not in `cost_usd` (never counted as $0). */
  unpriced: number;
  /** Mean latency per request, ms. */
  latency_ms: number;
  /** Answered requests per target (provider/model). */
  served_by: Record<string, number>;
}

export interface ReplayGroup {
  requests: number;
  /** Routed again under the candidate; the rest (cache hits, refusals before routing) are kept as they happened. */
  replayed: number;
  actual: ReplaySide;
  candidate: ReplaySide & {
    /** Requests that may reach a target the window never called (given the assumed behaviour). */
    assumed_target_requests: number;
  };
  /** candidate − actual. `cost_usd` compares the priced parts only; null when either side has no price at all. */
  diff: { cost_usd: number | null; latency_ms: number; failed: number };
}

export interface AliasReplay extends ReplayGroup {
  alias: string;
}

/** Counts of how often each assumption was needed, for the report's assumption list. */
export interface AssumptionCounts {
  readText: number;
  guessedComplexity: number;
  guessedTokens: number;
  usedAssumedTarget: number;
  /** Answered requests without a recorded cost, priced from their tokens at the candidate's prices. */
  pricedAfterwards: number;
  kept: { cache: number; refused: number; other: number };
}

class Side {
  served = 0;
  failed = 0;
  errors = new Map<string, number>();
  attemptFailures = new Map<string, number>();
  costPico = 0;
  unpriced = 0;
  latencyMs = 0;
  servedBy = new Map<string, number>();

  view(requests: number): ReplaySide {
    return {
      served: round(this.served, 3),
      failed: round(this.failed, 3),
      errors: counts(this.errors),
      attempt_failures: counts(this.attemptFailures),
      cost_usd: this.served > 0 && this.unpriced >= this.served - 1e-9 ? null : usd(this.costPico),
      unpriced: round(this.unpriced, 3),
      latency_ms: requests ? round(this.latencyMs / requests, 1) : 0,
      served_by: counts(this.servedBy),
    };
  }
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** USD to the nano-dollar: expected costs are fractions of a pico-dollar sum, and a report needs no finer. */
function usd(pico: number): number {
  return round(picoToUsd(Math.round(pico)), 9);
}

function counts(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, v]) => [k, round(v, 3)]));
}

function add(map: Map<string, number>, key: string, n: number): void {
  if (n > 0) map.set(key, (map.get(key) ?? 0) + n);
}

function addAll(into: Map<string, number>, from: Map<string, number>): void {
  for (const [k, v] of from) add(into, k, v);
}

/** One recorded outcome on a side: answered or failed, its target, its cost, its latency. */
function addRecorded(side: Side, r: RequestRecord, laterCost: number | undefined): void {
  if (r.status >= 400) {
    side.failed++;
    add(side.errors, r.error_code ?? String(r.status), 1);
  } else {
    side.served++;
    if (r.provider && r.model) add(side.servedBy, `${r.provider}/${r.model}`, 1);
    if (r.cost_usd !== undefined) side.costPico += usdToPico(r.cost_usd);
    // A cache hit costs nothing; an answer from upstream without a cost is priced afterwards, or unpriced.
    else if (r.attempts.some((x) => x.ok)) {
      if (laterCost === undefined) side.unpriced++;
      else side.costPico += laterCost;
    }
  }
  side.latencyMs += r.latency_ms;
}

class Group {
  requests = 0;
  replayed = 0;
  assumedTargets = 0;
  readonly actual = new Side();
  readonly candidate = new Side();

  /** `laterCost`: the pico-USD of an answer recorded without a cost, at the candidate's prices (undefined: unpriced). */
  addActual(r: RequestRecord, laterCost: number | undefined): void {
    this.requests++;
    addRecorded(this.actual, r, laterCost);
    for (const x of r.attempts) if (isEvidence(x) && !x.ok) add(this.actual.attemptFailures, failureClassOf(x).label, 1);
  }

  /** The candidate side of a request kept as it happened: the same as the actual one. */
  addKept(r: RequestRecord, laterCost: number | undefined): void {
    addRecorded(this.candidate, r, laterCost);
  }

  addSimulated(s: SimulatedRequest): void {
    this.replayed++;
    const c = this.candidate;
    c.served += s.served;
    c.failed += s.failed;
    addAll(c.errors, s.errors);
    addAll(c.attemptFailures, s.attemptFailures);
    addAll(c.servedBy, s.servedBy);
    c.costPico += s.costPico;
    c.unpriced += s.unpriced;
    c.latencyMs += s.latencyMs;
    if (s.usedAssumedTarget) this.assumedTargets++;
  }

  view(): ReplayGroup {
    const actual = this.actual.view(this.requests);
    const candidate = { ...this.candidate.view(this.requests), assumed_target_requests: this.assumedTargets };
    return {
      requests: this.requests,
      replayed: this.replayed,
      actual,
      candidate,
      diff: {
        cost_usd: candidate.cost_usd === null || actual.cost_usd === null ? null : round(candidate.cost_usd - actual.cost_usd, 9),
        latency_ms: round(candidate.latency_ms - actual.latency_ms, 1),
        failed: round(candidate.failed - actual.failed, 3),
      },
    };
  }
}

/** Why a record is not routed again, or undefined when it is replayed. */
export function keptBecause(r: RequestRecord): keyof AssumptionCounts['kept'] | undefined {
  if (r.alias && r.features && r.attempts.length > 0) return undefined;
  if (r.cache === 'hit') return 'cache';
  return r.status >= 400 ? 'refused' : 'other';
}

/**
 * @example
 * const tally = new ReplayTally();
 * tally.add(record, simulateRequest(ctx, record));
 * tally.aliases()[0].diff.cost_usd // -0.0123
 */
export class ReplayTally {
  /** Prices a recorded answer that has no cost (see recordedCostPico). */
  constructor(private readonly priceRecorded: (r: RequestRecord) => number | undefined = () => undefined) {}

  private readonly groups = new Map<string, Group>();
  private readonly all = new Group();
  readonly assumptions: AssumptionCounts = {
    readText: 0,
    guessedComplexity: 0,
    guessedTokens: 0,
    usedAssumedTarget: 0,
    pricedAfterwards: 0,
    kept: { cache: 0, refused: 0, other: 0 },
  };

  /** One record, with its replayed outcome, or without one when it is kept as it happened. */
  add(record: RequestRecord, simulated: SimulatedRequest | undefined): void {
    const name = record.alias ?? `(${record.endpoint})`;
    let g = this.groups.get(name);
    if (!g) this.groups.set(name, (g = new Group()));
    const later = record.cost_usd === undefined && record.status < 400 && record.attempts.some((x) => x.ok) ? this.priceRecorded(record) : undefined;
    if (later !== undefined) this.assumptions.pricedAfterwards++;
    for (const group of [g, this.all]) {
      group.addActual(record, later);
      if (simulated) group.addSimulated(simulated);
      else group.addKept(record, later);
    }
    const a = this.assumptions;
    if (!simulated) {
      a.kept[keptBecause(record) ?? 'other']++;
      return;
    }
    if (simulated.readText) a.readText++;
    if (simulated.guessedComplexity) a.guessedComplexity++;
    if (simulated.guessedTokens && simulated.served > 0) a.guessedTokens++;
    if (simulated.usedAssumedTarget) a.usedAssumedTarget++;
  }

  aliases(): AliasReplay[] {
    return [...this.groups].sort((a, b) => a[0].localeCompare(b[0])).map(([alias, g]) => ({ alias, ...g.view() }));
  }

  total(): ReplayGroup {
    return this.all.view();
  }
}
