/**
 * The order in which one alias's targets are tried for one request: `ordered` keeps the config order;
 * `weighted` draws without replacement, each draw proportional to weight, so every target is still tried
 * once before the alias gives up.
 */
import type { ResolvedAlias, ResolvedTarget } from '../config/snapshot';

/**
 * @example orderTargets(alias) // [{ provider: 'deepseek', ... }, { provider: 'openai', ... }] (random by weight)
 */
export function orderTargets(alias: ResolvedAlias, random: () => number = Math.random): ResolvedTarget[] {
  if (alias.strategy === 'ordered' || alias.targets.length <= 1) return alias.targets;
  const pool = [...alias.targets];
  const out: ResolvedTarget[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((s, t) => s + t.weight, 0);
    let r = random() * total;
    let i = 0;
    while (i < pool.length - 1 && r >= pool[i].weight) {
      r -= pool[i].weight;
      i++;
    }
    out.push(pool.splice(i, 1)[0]);
  }
  return out;
}
