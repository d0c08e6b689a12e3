/**
 * JSON Schema of a price entry: the values of the `pricing:` top-level key of proxy.yaml (per-model prices that
 * override or extend the shipped catalog, src/catalog) and of a provider's or target's `price:`.
 */

const usdPerMillion = { type: 'number', minimum: 0 } as const;

const tierSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['above_tokens', 'input', 'output'],
  properties: {
    above_tokens: { type: 'integer', minimum: 1, description: 'The tier applies when the whole prompt (plain + cached + cache-write tokens) exceeds this.' },
    input: usdPerMillion,
    output: usdPerMillion,
    cached_input: usdPerMillion,
    cache_write: usdPerMillion,
    cache_write_1h: usdPerMillion,
  },
} as const;

/** One model's prices, USD per 1M tokens. */
export const modelPriceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['input', 'output'],
  properties: {
    input: { ...usdPerMillion, description: 'USD per 1M prompt tokens not read from a cache.' },
    output: { ...usdPerMillion, description: 'USD per 1M completion tokens (reasoning tokens included).' },
    cached_input: { ...usdPerMillion, description: 'USD per 1M prompt tokens read from the provider cache; defaults to `input`.' },
    cache_write: { ...usdPerMillion, description: 'USD per 1M prompt tokens written to the provider cache (5-minute TTL); defaults to `input`.' },
    cache_write_1h: { ...usdPerMillion, description: 'USD per 1M prompt tokens written with a 1-hour TTL (Anthropic: 2x input); defaults to `cache_write`.' },
    context_window: { type: 'integer', minimum: 1, description: 'Largest prompt plus completion, in tokens.' },
    max_output: { type: 'integer', minimum: 1, description: 'Largest completion, in tokens.' },
    tiers: {
      type: 'array',
      items: tierSchema,
      description: 'Long-context prices: a request whose whole prompt exceeds `above_tokens` is priced at that tier, every token of it.',
    },
  },
} as const;

/** The `pricing:` section: model name (as the provider reports it) → prices. */
export const pricingSchema = {
  type: 'object',
  description: 'USD per 1M tokens, by upstream model name (or provider/model); overrides or adds to the shipped catalog.',
  additionalProperties: modelPriceSchema,
  default: {},
} as const;

/** `price:` on a provider or a target: used when neither the served model nor the target's model has a price. */
export const priceOverrideSchema = {
  ...modelPriceSchema,
  description:
    "USD per 1M tokens for this target (or every target of this provider), used when the catalog and `pricing:` know neither the model the provider answered with nor the target's model (an Azure deployment, a fine-tune).",
} as const;
