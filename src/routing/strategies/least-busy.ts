/**
 * `least-busy`: the target with the fewest requests in flight through this gateway first; ties in weighted order.
 */
import type { ResolvedTarget } from '../snapshot-types';
import { targetKey } from '../routing-state';
import type { StrategyInput } from './types';
import { weightedOrder } from './weighted';

/**
 * @example leastBusyOrder({ targets, stats, ... }) // the idlest target first
 */
export function leastBusyOrder(input: StrategyInput): ResolvedTarget[] {
  return weightedOrder(input.targets, input.random).sort((a, b) => input.stats.inFlight(targetKey(a)) - input.stats.inFlight(targetKey(b)));
}
