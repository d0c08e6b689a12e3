/**
 * Quality estimates from client feedback: one Beta distribution per alias × target × complexity tier (and one
 * per alias × target over all tiers), whose evidence decays with a half-life so old ratings fade and a target
 * that got better is believed again. Each rating s in [0, 1] adds s to the "good" count and 1 - s to the "bad"
 * count; the prior is Beta(1, 1), so an unrated target has mean 0.5 and wide uncertainty, which Thompson
 * sampling turns into exploration.
 */
import type { ComplexityTier } from '../config/routing-schema';

/** The tier key for the all-tiers cell. */
export const ALL_TIERS = '*';

interface Cell {
  good: number;
  bad: number;
  /** When `good` and `bad` were last decayed, ms since epoch. */
  at: number;
  ratings: number;
}

export interface QualityEstimate {
  /** Posterior mean, 0…1. */
  mean: number;
  alpha: number;
  beta: number;
  /** Ratings ever applied to this cell (not decayed). */
  ratings: number;
}

/** Ratings a tier's own cell needs before it is preferred over the all-tiers cell. */
const TIER_EVIDENCE = 3;

/**
 * @example
 * const book = new QualityBook(72 * 3600_000, Date.now);
 * book.rate('chat', 'openai/gpt-4o', 'complex', 1, Date.now());
 * book.estimate('chat', 'openai/gpt-4o', 'complex').mean // 0.667
 */
export class QualityBook {
  private readonly cells = new Map<string, Cell>();

  constructor(
    private readonly halfLifeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Applies one rating (at its own time, so ratings replayed from a store decay from when they were given). */
  rate(alias: string, target: string, tier: ComplexityTier | undefined, score: number, at: number): void {
    this.apply(cellKey(alias, target, ALL_TIERS), score, at);
    if (tier) this.apply(cellKey(alias, target, tier), score, at);
  }

  /** The estimate for a tier, falling back to all tiers while the tier has little evidence. */
  estimate(alias: string, target: string, tier?: ComplexityTier): QualityEstimate {
    const own = tier ? this.cells.get(cellKey(alias, target, tier)) : undefined;
    const cell = own && own.ratings >= TIER_EVIDENCE ? own : this.cells.get(cellKey(alias, target, ALL_TIERS));
    return this.view(cell);
  }

  /**
   * A Thompson sample: a draw from the estimate's Beta distribution.
   *
   * @example book.sample('chat', 'a/m', 'simple', Math.random) // 0.71
   */
  sample(alias: string, target: string, tier: ComplexityTier | undefined, random: () => number): number {
    const e = this.estimate(alias, target, tier);
    return sampleBeta(e.alpha, e.beta, random);
  }

  /** Every cell's estimate, for /health/ready. */
  describe(): Record<string, QualityEstimate> {
    const out: Record<string, QualityEstimate> = {};
    for (const [key, cell] of this.cells) out[key] = this.view(cell);
    return out;
  }

  private view(cell: Cell | undefined): QualityEstimate {
    const d = cell ? this.decay(cell.at, this.now()) : 0;
    const alpha = 1 + (cell ? cell.good * d : 0);
    const beta = 1 + (cell ? cell.bad * d : 0);
    return { mean: Math.round((alpha / (alpha + beta)) * 1000) / 1000, alpha, beta, ratings: cell?.ratings ?? 0 };
  }

  private apply(key: string, score: number, at: number): void {
    const cell = this.cells.get(key) ?? { good: 0, bad: 0, at, ratings: 0 };
    // A rating older than the cell's clock (replayed out of order) is decayed to the cell's time instead.
    if (at >= cell.at) {
      const d = this.decay(cell.at, at);
      cell.good *= d;
      cell.bad *= d;
      cell.at = at;
      cell.good += score;
      cell.bad += 1 - score;
    } else {
      const d = this.decay(at, cell.at);
      cell.good += score * d;
      cell.bad += (1 - score) * d;
    }
    cell.ratings++;
    this.cells.set(key, cell);
  }

  private decay(from: number, to: number): number {
    return to <= from ? 1 : Math.pow(0.5, (to - from) / this.halfLifeMs);
  }
}

function cellKey(alias: string, target: string, tier: string): string {
  return `${alias}|${target}|${tier}`;
}

/** A standard normal draw (Box–Muller). */
function normal(random: () => number): number {
  const u = Math.max(random(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A Gamma(shape, 1) draw: Marsaglia and Tsang's method; shape < 1 boosted from shape + 1. */
function sampleGamma(shape: number, random: () => number): number {
  if (shape < 1) return sampleGamma(shape + 1, random) * Math.pow(Math.max(random(), Number.MIN_VALUE), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(random);
    const v = Math.pow(1 + c * x, 3);
    if (v <= 0) continue;
    const u = random();
    if (Math.log(Math.max(u, Number.MIN_VALUE)) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * A Beta(alpha, beta) draw from two Gamma draws.
 *
 * @example sampleBeta(9, 1, Math.random) // usually above 0.7
 */
export function sampleBeta(alpha: number, beta: number, random: () => number): number {
  const x = sampleGamma(alpha, random);
  const y = sampleGamma(beta, random);
  return x / (x + y);
}
