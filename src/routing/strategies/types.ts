/**
 * What a strategy gets to order one alias's targets for one request.
 */
import type { ResolvedTarget } from '../snapshot-types';
import type { GatewayConfig } from '../../config/types';
import type { TargetStats } from '../target-stats';
import type { ComplexityTier } from '../../config/routing-schema';
import type { QualityBook } from '../../feedback/quality-book';

export interface StrategyInput {
  targets: readonly ResolvedTarget[];
  /** The request body (chat or embeddings). */
  body: object;
  stats: TargetStats;
  config: GatewayConfig;
  random: () => number;
  /** The alias being ordered (best-value reads its weights and estimates). */
  alias?: string;
  /** Feedback quality estimates, when `feedback:` is configured. */
  quality?: QualityBook;
  /** The request's complexity tier, computed on first call. */
  tier?: () => ComplexityTier;
  /** The request's expected tokens when the body does not carry its text (replay); else read from `body`. */
  tokens?: { promptTokens: number; completionTokens: number };
}

/** Orders targets, best first; every target appears once. */
export type TargetOrder = (input: StrategyInput) => ResolvedTarget[];
