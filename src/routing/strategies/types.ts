/**
 * What a strategy gets to order one alias's targets for one request.
 */
import type { ResolvedTarget } from '../snapshot-types';
import type { GatewayConfig } from '../../config/types';
import type { TargetStats } from '../target-stats';

export interface StrategyInput {
  targets: readonly ResolvedTarget[];
  /** The request body (chat or embeddings). */
  body: object;
  stats: TargetStats;
  config: GatewayConfig;
  random: () => number;
}

/** Orders targets, best first; every target appears once. */
export type TargetOrder = (input: StrategyInput) => ResolvedTarget[];
