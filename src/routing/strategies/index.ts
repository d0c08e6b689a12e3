/**
 * The strategies an alias can name in `strategy:`, and `orderTargets`, which applies an alias's strategy to one
 * request. Each strategy is a pure function of the targets, the request and the live statistics.
 */
import type { ResolvedAlias, ResolvedTarget, RuntimeSnapshot } from '../snapshot-types';
import type { ComplexityTier, Strategy } from '../../config/routing-schema';
import { complexityOf } from '../complexity';
import { bestValueOrder } from './best-value';
import { leastBusyOrder } from './least-busy';
import { lowestCostOrder } from './lowest-cost';
import { lowestLatencyOrder } from './lowest-latency';
import type { TargetOrder } from './types';
import { weightedOrder } from './weighted';

/** Strategy name → ordering function. @example strategies['least-busy'](input)[0] // the idlest target */
export const strategies: Record<Strategy, TargetOrder> = {
  weighted: (input) => weightedOrder(input.targets, input.random),
  ordered: (input) => [...input.targets],
  'lowest-latency': lowestLatencyOrder,
  'lowest-cost': lowestCostOrder,
  'least-busy': leastBusyOrder,
  'best-value': bestValueOrder,
};

/**
 * @example orderTargets(snapshot, snapshot.aliases.get('chat')!, ctx.body) // [{ provider: 'deepseek', ... }, ...]
 */
export function orderTargets(snapshot: RuntimeSnapshot, alias: ResolvedAlias, body: object, random: () => number = Math.random): ResolvedTarget[] {
  if (alias.targets.length <= 1) return [...alias.targets];
  let tier: ComplexityTier | undefined;
  return strategies[alias.strategy]({
    targets: alias.targets,
    body,
    stats: snapshot.routing.stats,
    config: snapshot.config,
    random,
    alias: alias.name,
    quality: snapshot.feedback?.book,
    tier: () => (tier ??= complexityOf(body).tier),
  });
}
