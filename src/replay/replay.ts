/**
 * `switchyard replay`: recorded traffic through a candidate config, no provider called. Two passes over the
 * window: the first learns how each target behaved (and the alias's typical answer length), the second routes
 * every request again under the candidate and sums what happened beside what would have happened.
 */
import { TargetStats } from '../routing/target-stats';
import { targetKey } from '../routing/routing-state';
import { keptBecause, ReplayTally, type AliasReplay, type AssumptionCounts, type ReplayGroup } from './aggregate';
import { BehaviourBook, type BehaviourModel } from './behaviour';
import type { Candidate } from './candidate';
import { recordedCostPico, simulateRequest, type SimulationContext } from './simulate';
import type { ReplaySource } from './source';
import type { ReplayWindow } from './window';

/** The behaviour replay gave one target: what the window showed, or the assumption. */
export interface TargetModelView {
  target: string;
  observed: boolean;
  tries: number;
  success_rate: number;
  latency_ms: number;
  failures: Record<string, number>;
}

export interface ReplayReport {
  window: { since: string; until: string };
  candidate: { file: string; hash: string };
  /** Records in the window. */
  records: number;
  aliases: AliasReplay[];
  total: ReplayGroup;
  /** The behaviour of every target the candidate can reach. */
  targets: TargetModelView[];
  /** What the figures rest on, in words. */
  assumptions: string[];
}

export interface ReplayOptions {
  /** Seeds the strategies that draw at random; the same seed and log give the same report. */
  seed?: number;
  /**
   * Called every PROGRESS_EVERY records: `done` of `total` steps, where each record is two steps (one per pass)
   * and `total` is unknown (undefined) until the first pass has counted the window.
   */
  onProgress?(done: number, total: number | undefined): void;
}

/** Records between two progress calls, and between two turns given back to the event loop. */
const PROGRESS_EVERY = 5_000;

/** One turn of the event loop: a replay inside the gateway lets requests (and its own page's polls) through. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The targets of every alias the candidate configures. */
function candidateTargets(candidate: Candidate): { provider: string; model: string }[] {
  const seen = new Map<string, { provider: string; model: string }>();
  for (const alias of candidate.routes.aliases.values()) for (const t of alias.targets) seen.set(targetKey(t), t);
  return [...seen.values()];
}

function targetView(model: BehaviourModel, target: { provider: string; model: string }): TargetModelView {
  const b = model.of(target);
  return {
    target: b.key,
    observed: b.observed,
    tries: b.tries,
    success_rate: round(b.success, 4),
    latency_ms: round(b.okLatencyMs, 1),
    failures: Object.fromEntries(b.failures.map((f) => [f.label, round(f.p, 4)])),
  };
}

function percent(p: number): string {
  return `${round(p * 100, 1)}%`;
}

/** The assumption list: always the ones every figure rests on, and each conditional one with how many requests it touched. */
function assumptionsOf(counts: AssumptionCounts, model: BehaviourModel, candidate: Candidate): string[] {
  const out = [
    'No provider was called: each try at a target answers or fails at the rate that target showed in the window, independently of the other tries; costs, latencies and failures are expected values.',
    'Output tokens are taken from the served model: every target would have written as many completion tokens as the one that answered.',
    'Cached prompt tokens (cache reads and writes) count as cached only on a target of the provider that served them; on another provider they are billed as plain input.',
    'Failed tries cost nothing. Prices are the candidate\u2019s: its `pricing:`, then the shipped catalog, then the target\u2019s or provider\u2019s `price:`; a target without a price is reported as unpriced, never as $0.',
    'Latency is the mean of the tries the request would make (answered tries at the target\u2019s mean latency, failed ones at its mean time to fail, retry backoff at half its ceiling) plus the gateway\u2019s own recorded time.',
    'Cooldowns, hedging, conversation affinity, the routing timeout, rate limits and plugins are not simulated: every target is tried as if healthy, and its recorded failures stand for its outages.',
    'Strategies that draw at random (weighted, lowest-latency\u2019s exploration, best-value) draw from a generator seeded by each request\u2019s id, so the same log gives the same report; best-value has no feedback ratings to read and samples quality uniformly.',
  ];
  if (counts.usedAssumedTarget > 0) {
    const a = model.assumed;
    out.push(
      `${counts.usedAssumedTarget} request(s) could reach a target the window never called: it was given the median of the observed targets (${percent(a.success)} of tries answered, ${round(a.okLatencyMs, 1)} ms).`,
    );
  }
  if (counts.pricedAfterwards > 0)
    out.push(
      `${counts.pricedAfterwards} answered request(s) have no recorded cost (no cost-log plugin ran, or their price was unknown then): their actual cost is priced from their recorded tokens at the candidate\u2019s prices.`,
    );
  if (counts.readText > 0)
    out.push(
      `Regex \`match:\` rules cannot be evaluated without logged content: ${counts.readText} request(s) reached one, which was tested against empty text (so it normally did not match and the next rule decided).`,
    );
  if (counts.guessedComplexity > 0)
    out.push(`${counts.guessedComplexity} request(s) reached a complexity rule but have no recorded complexity score: treated as 0 (simple).`);
  if (counts.guessedTokens > 0)
    out.push(
      `${counts.guessedTokens} request(s) failed in the record and have no token counts: their prompt tokens are the gateway\u2019s estimate, their completion tokens the mean of their alias\u2019s answered requests.`,
    );
  const { cache, refused, other } = counts.kept;
  if (cache + refused + other > 0)
    out.push(
      `${cache + refused + other} request(s) never reached routing in the record (${cache} cache hit(s), ${refused} refused before routing by auth, rate limits or validation, ${other} other such as passthrough): kept as they happened.`,
    );
  out.push('Structured output is checked against the catalog as `json_schema` (the record does not say which kind was asked for).');
  if (candidate.unreadVariables.length > 0)
    out.push(`The candidate's \${…} variables were not read (${candidate.unreadVariables.join(', ')}): replay contacts no provider and needs no key.`);
  return out;
}

/**
 * Replays a window of recorded traffic under a candidate config.
 *
 * @example
 * const report = await replay(requestLog, loadCandidateFile('candidate.yaml'), replayWindow('7d', undefined, Date.now()));
 * report.total.diff.cost_usd // -12.34: the candidate would have cost $12.34 less
 */
export async function replay(source: ReplaySource, candidate: Candidate, window: ReplayWindow, options: ReplayOptions = {}): Promise<ReplayReport> {
  // Pass 1: how each target behaved, and how long each alias's answers were.
  const book = new BehaviourBook();
  const completion = new Map<string, { sum: number; n: number }>();
  let records = 0;
  const progress = options.onProgress;
  for await (const r of source.scan(window.since, window.until)) {
    records++;
    if (records % PROGRESS_EVERY === 0) {
      progress?.(records, undefined);
      await turn();
    }
    book.add(r);
    if (r.alias && r.completion_tokens !== undefined) {
      const c = completion.get(r.alias) ?? { sum: 0, n: 0 };
      c.sum += r.completion_tokens;
      c.n++;
      completion.set(r.alias, c);
    }
  }
  const model = book.model();
  const stats = new TargetStats();
  const reachable = candidateTargets(candidate);
  for (const t of reachable) stats.recordTtfb(targetKey(t), model.of(t).okTtfbMs);
  const ctx: SimulationContext = {
    candidate,
    behaviour: model,
    stats,
    completionMeans: new Map([...completion].map(([alias, c]) => [alias, c.sum / c.n])),
    seed: options.seed ?? 1,
  };

  // Pass 2: every request again, under the candidate.
  const tally = new ReplayTally((r) => recordedCostPico(candidate, r));
  let replayed = 0;
  for await (const r of source.scan(window.since, window.until)) {
    tally.add(r, keptBecause(r) ? undefined : simulateRequest(ctx, r));
    if (++replayed % PROGRESS_EVERY === 0) {
      progress?.(records + replayed, 2 * records);
      await turn();
    }
  }
  progress?.(2 * records, 2 * records);

  return {
    window: { since: new Date(window.since).toISOString(), until: new Date(window.until).toISOString() },
    candidate: { file: candidate.file, hash: candidate.hash },
    records,
    aliases: tally.aliases(),
    total: tally.total(),
    targets: reachable.map((t) => targetView(model, t)).sort((a, b) => a.target.localeCompare(b.target)),
    assumptions: assumptionsOf(tally.assumptions, model, candidate),
  };
}
