/**
 * Typed views of the config sections plugins read from `env.config` (the whole validated proxy.yaml): prices,
 * provider limits, and other plugins' entries. Part of the public plugin API.
 */
import { catalogProviderFor } from '../catalog/catalog';
import type { ModelPrice, PriceQuery } from '../pricing/price-table';

/** `limits:` on a provider entry: what the rate-limit plugin shapes traffic to. */
export interface ProviderLimits {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveNumber(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0)) throw new Error(`${what} must be a positive number`);
  return value;
}

/**
 * The `pricing:` section (validated by the config schema).
 *
 * @example pricingOverrides(env.config) // { 'deepseek-chat': { input: 0.27, output: 1.1 } }
 */
export function pricingOverrides(config: Readonly<Record<string, unknown>>): Record<string, ModelPrice> {
  return isObject(config.pricing) ? (config.pricing as Record<string, ModelPrice>) : {};
}

/**
 * What `resolvePrice` needs to price a served request: the model the provider answered with, the target's model,
 * the target's (else its provider's) `price:` from the config, and the catalog provider that provider is.
 *
 * @example resolvePrice(prices, priceQuery(env.config, ctx.servedBy, response.model))
 */
export function priceQuery(
  config: Readonly<Record<string, unknown>>,
  servedBy: { alias: string; provider: string; model: string },
  servedModel?: string,
): PriceQuery {
  const entry = (section: unknown, key: string): Record<string, unknown> | undefined => {
    const value = isObject(section) ? section[key] : undefined;
    return isObject(value) ? value : undefined;
  };
  const provider = entry(config.providers, servedBy.provider);
  const alias = entry(config.models, servedBy.alias);
  const targets: unknown[] = alias && Array.isArray(alias.targets) ? alias.targets : [];
  const target = targets.find((t): t is Record<string, unknown> => isObject(t) && t.provider === servedBy.provider && t.model === servedBy.model);
  const override = (target?.price ?? provider?.price) as ModelPrice | undefined;
  return {
    servedModel: servedModel || undefined,
    targetModel: servedBy.model,
    override,
    provider: provider ? catalogProviderFor(servedBy.provider, provider) : undefined,
  };
}

/**
 * `limits:` of every provider that has them. Throws on a malformed entry, which fails the config load.
 *
 * @example providerLimits(env.config).get('openai') // { rpm: 500, tpm: 200000, concurrency: 50 }
 */
export function providerLimits(config: Readonly<Record<string, unknown>>): Map<string, ProviderLimits> {
  const out = new Map<string, ProviderLimits>();
  if (!isObject(config.providers)) return out;
  for (const [name, provider] of Object.entries(config.providers)) {
    if (!isObject(provider) || provider.limits === undefined) continue;
    const limits = provider.limits;
    if (!isObject(limits)) throw new Error(`providers.${name}.limits must be an object`);
    const unknown = Object.keys(limits).filter((k) => !['rpm', 'tpm', 'concurrency'].includes(k));
    if (unknown.length) throw new Error(`providers.${name}.limits: unknown setting "${unknown[0]}" (rpm, tpm, concurrency)`);
    out.set(name, {
      rpm: positiveNumber(limits.rpm, `providers.${name}.limits.rpm`),
      tpm: positiveNumber(limits.tpm, `providers.${name}.limits.tpm`),
      concurrency: positiveNumber(limits.concurrency, `providers.${name}.limits.concurrency`),
    });
  }
  return out;
}

/**
 * The options of the first plugin entry using `name`, if any.
 *
 * @example pluginOptions(env.config, 'rate-limit')?.store // 'redis://127.0.0.1:6379'
 */
export function pluginOptions(config: Readonly<Record<string, unknown>>, name: string): Record<string, unknown> | undefined {
  if (!Array.isArray(config.plugins)) return undefined;
  const entry: unknown = config.plugins.find((p: unknown) => isObject(p) && p.use === name);
  return isObject(entry) ? entry : undefined;
}
