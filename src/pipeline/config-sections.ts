/**
 * Typed views of the config sections plugins read from `env.config` (the whole validated proxy.yaml): prices,
 * provider limits, and other plugins' entries. Part of the public plugin API.
 */
import type { ModelPrice } from '../pricing/price-table';

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
