/**
 * `weighted` (the default): targets drawn without replacement, each draw proportional to weight, so every
 * target is still tried once before the alias gives up. Other strategies use it to break ties.
 */
import type { ResolvedTarget } from '../snapshot-types';

/**
 * @example weightedOrder([{ provider: 'deepseek', model: 'deepseek-chat', weight: 3 }, { provider: 'openai', model: 'gpt-4o-mini', weight: 1 }])
 * // deepseek first three times in four
 */
export function weightedOrder(targets: readonly ResolvedTarget[], random: () => number = Math.random): ResolvedTarget[] {
  const pool = [...targets];
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
