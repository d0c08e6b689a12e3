/**
 * The targets whose requests will be recorded as unpriced: `switchyard validate` warns about each one while the
 * cost-log plugin is on (a warning, not an error: an Azure deployment may still answer with a model the catalog
 * knows, which is then priced by it).
 */
import type { ConfigPath } from '../config/interpolate';
import type { GatewayConfig } from '../config/types';
import { catalogProviderFor } from '../catalog/catalog';
import { buildPriceTable, resolvePrice, type ModelPrice } from './price-table';

/** One target with no price, where it is in the config and why. */
export interface UnpricedTarget {
  path: ConfigPath;
  message: string;
}

/**
 * Every alias target that neither the catalog, the config's `pricing:`, nor a `price:` on the target or its
 * provider prices; empty when the cost-log plugin is not in the pipeline (nothing is priced then).
 *
 * @example unpricedTargets(loaded.config) // [{ path: ['models', 'chat', 'targets', 0, 'model'], message: 'no price for "my-finetune" …' }]
 */
export function unpricedTargets(config: GatewayConfig): UnpricedTarget[] {
  if (!config.plugins.some((p) => p.use === 'cost-log')) return [];
  const pricing = config.pricing && typeof config.pricing === 'object' ? (config.pricing as Record<string, ModelPrice>) : {};
  const table = buildPriceTable(pricing);
  const out: UnpricedTarget[] = [];
  for (const [alias, a] of Object.entries(config.models)) {
    (a.targets ?? []).forEach((t, i) => {
      const provider = config.providers[t.provider];
      if (!provider) return;
      const override = t.price ?? provider.price;
      const catalog = catalogProviderFor(t.provider, provider);
      if (resolvePrice(table, { targetModel: t.model, override, provider: catalog })) return;
      out.push({
        path: ['models', alias, 'targets', i, 'model'],
        message:
          `no price for "${t.model}" (provider ${t.provider}): its requests will be recorded as unpriced unless the provider answers ` +
          'with a model the catalog knows; add `price:` to the target or its provider, or an entry under `pricing:`',
      });
    });
  }
  return out;
}
