/**
 * The price table: the built-in prices.json merged with the `pricing:` section of proxy.yaml, and the lookup
 * from an upstream model name to its prices.
 */
import builtinPrices from './prices.json';

/** One model's prices in USD per 1M tokens (which is the same number as micro-dollars per token). */
export interface ModelPrice {
  input: number;
  output: number;
  /** Price of prompt tokens served from the provider's prompt cache; `input` when absent. */
  cached_input?: number;
  /** Price of prompt tokens written to the provider's prompt cache (Anthropic); `input` when absent. */
  cache_write?: number;
  /** Price of prompt tokens written to the cache with a 1-hour TTL (Anthropic: 2× input); `cache_write` when absent. */
  cache_write_1h?: number;
  context_window?: number;
  /** Most completion tokens one request may ask for. */
  max_output?: number;
  /** Long-context prices: a request whose whole prompt exceeds `above_tokens` is priced entirely at that tier. */
  tiers?: PriceTier[];
}

/** One long-context tier of a ModelPrice (prices in USD per 1M tokens; absent cache prices fall back as in ModelPrice). */
export interface PriceTier {
  above_tokens: number;
  input: number;
  output: number;
  cached_input?: number;
  cache_write?: number;
  cache_write_1h?: number;
}

/** Model name → prices. */
export type PriceTable = ReadonlyMap<string, ModelPrice>;

/**
 * Builds the table from the built-in data plus overrides (config entries win).
 *
 * @example
 * const table = buildPriceTable({ 'deepseek-chat': { input: 0.27, output: 1.1, cached_input: 0.07 } });
 * lookupPrice(table, 'deepseek-chat')?.input // 0.27
 */
export function buildPriceTable(overrides: Readonly<Record<string, ModelPrice>> = {}): PriceTable {
  const table = new Map<string, ModelPrice>();
  for (const [model, price] of Object.entries(builtinPrices.models as Record<string, ModelPrice>)) table.set(model.toLowerCase(), price);
  for (const [model, price] of Object.entries(overrides)) {
    // A config entry replaces every price (a stale built-in cached price must not survive a new input price),
    // but a context window it does not mention is kept.
    const contextWindow = price.context_window ?? table.get(model.toLowerCase())?.context_window;
    table.set(model.toLowerCase(), contextWindow === undefined ? price : { ...price, context_window: contextWindow });
  }
  return table;
}

// A trailing release date: "-2024-08-06" (OpenAI) or "-20241022" (Anthropic).
const DATE_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{8})$/;

/**
 * Finds the prices of an upstream model. Tries the exact name, then without a `vendor/` prefix, then without
 * a release-date suffix. Returns undefined for an unknown model: a missing price is never guessed.
 *
 * @example lookupPrice(table, 'gpt-4o-mini-2024-07-18') // the gpt-4o-mini entry
 */
export function lookupPrice(table: PriceTable, model: string): ModelPrice | undefined {
  const name = model.toLowerCase();
  const withoutVendor = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  for (const candidate of [name, withoutVendor, withoutVendor.replace(DATE_SUFFIX, '')]) {
    const price = table.get(candidate);
    if (price) return price;
  }
  return undefined;
}
