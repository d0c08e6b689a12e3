/**
 * `best-value`: the target with the best expected quality for its cost and latency first. Quality is a Thompson
 * sample from the target's feedback estimate for this alias and the request's complexity tier (feedback/
 * quality-book.ts), so a target with few ratings is drawn widely and gets tried; cost and latency are relative
 * to the alias's dearest and slowest target. value = quality·w_q − cost·w_c − latency·w_l (weights from
 * `best_value:`; defaults 1, 0.5, 0.2).
 */
import type { ResolvedTarget } from '../snapshot-types';
import type { StrategyInput } from './types';
import { estimatedCost, priceTableOf, requestTokens } from './lowest-cost';
import { lookupPrice } from '../../pricing/price-table';

const DEFAULT_WEIGHTS = { quality: 1, cost: 0.5, latency: 0.2 };

/**
 * @example bestValueOrder({ targets, body, stats, config, random, alias: 'chat', quality, tier: () => 'simple' })[0]
 */
export function bestValueOrder(input: StrategyInput): ResolvedTarget[] {
  const alias = input.alias ? input.config.models[input.alias] : undefined;
  const w = { ...DEFAULT_WEIGHTS, ...alias?.best_value };
  const tokens = input.tokens ?? requestTokens(input.body);
  const table = priceTableOf(input.config);
  const costs = input.targets.map((t) => estimatedCost(lookupPrice(table, t.model), tokens));
  const latencies = input.targets.map((t) => input.stats.ttfb(`${t.provider}/${t.model}`));
  const maxCost = Math.max(0, ...costs.filter(Number.isFinite));
  const maxLatency = Math.max(0, ...latencies.filter((l): l is number => l !== undefined));
  const tier = input.tier?.();
  const scored = input.targets.map((t, i) => {
    // Unpriced counts as the dearest; an unmeasured latency as none (so a new target is not held back by it).
    const cost = Number.isFinite(costs[i]) ? (maxCost > 0 ? costs[i] / maxCost : 0) : 1;
    const latency = latencies[i] !== undefined && maxLatency > 0 ? latencies[i]! / maxLatency : 0;
    const quality = input.quality && input.alias ? input.quality.sample(input.alias, `${t.provider}/${t.model}`, tier, input.random) : input.random();
    return { t, value: quality * w.quality - cost * w.cost - latency * w.latency };
  });
  return scored.sort((a, b) => b.value - a.value).map((s) => s.t);
}
