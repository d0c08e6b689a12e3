/**
 * `lowest-cost`: the cheapest target for this request first, by the price table (the shipped catalog plus the
 * config's `pricing:`, then the target's or provider's `price:`) × (estimated prompt tokens, and the completion budget). Unpriced targets go last.
 */
import type { ResolvedTarget } from '../snapshot-types';
import type { GatewayConfig } from '../../config/types';
import type { ChatRequest, EmbeddingsRequest } from '../../providers/openai-types';
import { estimateChatPromptTokens, estimateEmbeddingsTokens } from '../../pricing/estimate-tokens';
import { buildPriceTable, resolvePrice, type ModelPrice, type PriceTable } from '../../pricing/price-table';
import { catalogProviderFor } from '../../catalog/catalog';
import type { StrategyInput } from './types';

/** Completion tokens assumed when the request sets no max_tokens (a typical chat answer). */
export const ASSUMED_COMPLETION_TOKENS = 256;

// One table per loaded config: a reload with new prices builds a new one.
const tables = new WeakMap<GatewayConfig, PriceTable>();

/** The price table of a config. @example lookupPrice(priceTableOf(snapshot.config), 'gpt-4o-mini')?.input // 0.15 */
export function priceTableOf(config: GatewayConfig): PriceTable {
  let table = tables.get(config);
  if (!table) {
    const pricing = config.pricing && typeof config.pricing === 'object' ? (config.pricing as Record<string, ModelPrice>) : {};
    table = buildPriceTable(pricing);
    tables.set(config, table);
  }
  return table;
}

/**
 * Estimated cost of a request on one model, in micro-dollars; Infinity when the model has no price.
 *
 * @example estimatedCost(price, { promptTokens: 1000, completionTokens: 100 }) // 1000 * price.input + 100 * price.output
 */
export function estimatedCost(price: ModelPrice | undefined, tokens: { promptTokens: number; completionTokens: number }): number {
  if (!price) return Infinity;
  return tokens.promptTokens * price.input + tokens.completionTokens * price.output;
}

/** Prompt and completion tokens a request is expected to use. @example requestTokens(body).promptTokens // 120 */
export function requestTokens(body: object): { promptTokens: number; completionTokens: number } {
  if ('input' in body) return { promptTokens: estimateEmbeddingsTokens(body as EmbeddingsRequest), completionTokens: 0 };
  const chat = body as ChatRequest;
  return { promptTokens: estimateChatPromptTokens(chat), completionTokens: chat.max_completion_tokens ?? chat.max_tokens ?? ASSUMED_COMPLETION_TOKENS };
}

/**
 * @example lowestCostOrder({ targets, body, config, ... }) // gpt-4o-mini before gpt-4o
 */
export function lowestCostOrder(input: StrategyInput): ResolvedTarget[] {
  const table = priceTableOf(input.config);
  const tokens = input.tokens ?? requestTokens(input.body);
  const priceOf = (t: ResolvedTarget) => {
    const provider = input.config.providers?.[t.provider];
    const catalog = provider ? catalogProviderFor(t.provider, provider) : undefined;
    return resolvePrice(table, { targetModel: t.model, override: t.price, provider: catalog })?.price;
  };
  const cost = new Map(input.targets.map((t) => [t, estimatedCost(priceOf(t), tokens)]));
  // Array.prototype.sort is stable: equal costs keep the config order.
  return [...input.targets].sort((a, b) => {
    const ca = cost.get(a)!;
    const cb = cost.get(b)!;
    return ca === cb ? 0 : ca < cb ? -1 : 1;
  });
}
