/**
 * `lowest-latency`: targets by their decaying average time to first byte, fastest first. Targets without a
 * sample go first so they get one, and a small share of requests explores in weighted order, so a target that
 * was slow and has recovered gets noticed.
 */
import type { ResolvedTarget } from '../snapshot-types';
import { targetKey } from '../routing-state';
import type { StrategyInput } from './types';
import { weightedOrder } from './weighted';

/** Share of requests that ignore the averages. */
export const EXPLORATION_RATE = 0.1;

/**
 * @example lowestLatencyOrder({ targets, stats, random: Math.random, ... }) // fastest target first, usually
 */
export function lowestLatencyOrder(input: StrategyInput): ResolvedTarget[] {
  const shuffled = weightedOrder(input.targets, input.random);
  const unmeasured = shuffled.filter((t) => input.stats.ttfb(targetKey(t)) === undefined);
  if (unmeasured.length > 0) return [...unmeasured, ...shuffled.filter((t) => !unmeasured.includes(t))];
  if (input.random() < EXPLORATION_RATE) return shuffled;
  return shuffled.sort((a, b) => (input.stats.ttfb(targetKey(a)) ?? 0) - (input.stats.ttfb(targetKey(b)) ?? 0));
}
