/**
 * One configured alias resolved for routing: its strategy, its targets with the price each falls back to, its
 * fallbacks and its policy. The snapshot builder makes one per alias; replay makes them for a candidate config.
 */
import type { AliasConfig, GatewayConfig } from '../config/types';
import { resolveAliasPolicy } from './policy';
import type { ResolvedAlias } from './snapshot-types';

/**
 * @example resolveAlias('chat', config.models.chat, config).targets[0] // { provider: 'deepseek', model: 'deepseek-chat', weight: 3 }
 */
export function resolveAlias(name: string, cfg: AliasConfig, config: GatewayConfig): ResolvedAlias {
  return {
    name,
    strategy: cfg.strategy ?? 'weighted',
    targets: (cfg.targets ?? []).map((t) => {
      // The last step of the price lookup: the target's own `price:`, else its provider's.
      const price = t.price ?? config.providers[t.provider]?.price;
      return { provider: t.provider, model: t.model, weight: t.weight ?? 1, ...(price ? { price } : {}) };
    }),
    fallbacks: cfg.fallbacks ?? [],
    policy: resolveAliasPolicy(name, cfg, config),
    config: cfg,
  };
}
