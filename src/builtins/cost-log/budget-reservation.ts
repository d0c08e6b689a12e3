/**
 * The worst-case cost of one upstream attempt, reserved against the key's budget before the call: the prompt
 * estimate at the dearest prompt price the model has (plain input or a cache write) plus every output token the
 * request may generate at the output price. Amounts in integer pico-dollars.
 */
import {
  estimateChatPromptTokens,
  estimateEmbeddingsTokens,
  pricePerTokenPico,
  type ChatRequest,
  type EmbeddingsRequest,
  type ModelPrice,
  type PriceTier,
} from '../../plugin-api';

/** Output tokens assumed when neither the client, the cost-log options nor the catalog give a cap. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

type CatalogPrice = ModelPrice;
type TierPrice = Omit<PriceTier, 'above_tokens'>;

export interface WorstCaseOptions {
  /** Output tokens to assume when the client sets no max (cost-log `default_max_output_tokens`). */
  defaultMaxOutputTokens?: number;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Output tokens the request may generate: the client's max (`max_completion_tokens`, `max_tokens` or the
 * Responses API's `max_output_tokens`), else the configured default, else the model's catalog `max_output`,
 * else DEFAULT_MAX_OUTPUT_TOKENS; never more than the model's `max_output` (the provider refuses more); times `n`.
 *
 * @example maxOutputTokens({ model: 'm', messages: [], max_tokens: 100, n: 2 }, {}, {}) // 200
 */
export function maxOutputTokens(body: ChatRequest, price: CatalogPrice, options: WorstCaseOptions): number {
  const fields = body as unknown as Record<string, unknown>;
  const asked = count(fields.max_completion_tokens) ?? count(fields.max_tokens) ?? count(fields.max_output_tokens);
  const cap = count(price.max_output);
  let tokens = asked ?? count(options.defaultMaxOutputTokens) ?? cap ?? DEFAULT_MAX_OUTPUT_TOKENS;
  if (cap !== undefined && cap > 0) tokens = Math.min(tokens, cap);
  const choices = Math.max(1, count(fields.n) ?? 1);
  return tokens * choices;
}

/** The tier a prompt of `promptTokens` is billed at (the highest whose threshold it passes), or the base price. */
function tierFor(price: CatalogPrice, promptTokens: number): TierPrice {
  let chosen: TierPrice = price;
  let above = -1;
  for (const tier of price.tiers ?? []) {
    if (promptTokens > tier.above_tokens && tier.above_tokens > above) {
      chosen = tier;
      above = tier.above_tokens;
    }
  }
  return chosen;
}

/**
 * Worst-case cost of an attempt in pico-dollars.
 *
 * @example
 * // 10 prompt tokens × $2.50/M + 100 output tokens × $10/M
 * worstCasePico('chat', { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello there!' }], max_tokens: 100 }, { input: 2.5, output: 10 }, {})
 * // 1_025_000_000 (about $0.001)
 */
export function worstCasePico(endpoint: string, body: ChatRequest | EmbeddingsRequest, price: ModelPrice, options: WorstCaseOptions): number {
  const catalog = price as CatalogPrice;
  if (endpoint === 'embeddings') {
    const tokens = estimateEmbeddingsTokens(body as EmbeddingsRequest);
    return tokens * pricePerTokenPico(tierFor(catalog, tokens).input);
  }
  const chat = body as ChatRequest;
  const prompt = estimateChatPromptTokens(chat);
  const tier = tierFor(catalog, prompt);
  // A prompt may be written to the provider's cache, which costs more than reading it plainly (Anthropic).
  const promptPrice = Math.max(tier.input, tier.cache_write ?? 0, tier.cache_write_1h ?? 0, catalog.cache_write ?? 0, catalog.cache_write_1h ?? 0);
  const total = prompt * pricePerTokenPico(promptPrice) + maxOutputTokens(chat, catalog, options) * pricePerTokenPico(tier.output);
  return Number.isSafeInteger(total) ? total : Number.MAX_SAFE_INTEGER;
}
