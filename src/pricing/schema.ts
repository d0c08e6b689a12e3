/**
 * JSON Schema of the `pricing:` top-level key of proxy.yaml: per-model prices that override or extend the
 * built-in table in prices.json.
 */

const usdPerMillion = { type: 'number', minimum: 0 } as const;

/** One model's prices, USD per 1M tokens. */
export const modelPriceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['input', 'output'],
  properties: {
    input: { ...usdPerMillion, description: 'USD per 1M prompt tokens not read from a cache.' },
    output: { ...usdPerMillion, description: 'USD per 1M completion tokens (reasoning tokens included).' },
    cached_input: { ...usdPerMillion, description: 'USD per 1M prompt tokens read from the provider cache; defaults to `input`.' },
    cache_write: { ...usdPerMillion, description: 'USD per 1M prompt tokens written to the provider cache; defaults to `input`.' },
    cache_write_1h: { ...usdPerMillion, description: 'USD per 1M prompt tokens written to the cache with a 1-hour TTL; defaults to `cache_write`.' },
    context_window: { type: 'integer', minimum: 1, description: 'Largest prompt plus completion, in tokens.' },
    max_output: { type: 'integer', minimum: 1, description: 'Most completion tokens one request may ask for.' },
    tiers: {
      type: 'array',
      description: 'Long-context prices: a request whose whole prompt exceeds `above_tokens` is priced entirely at that tier.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['above_tokens', 'input', 'output'],
        properties: {
          above_tokens: { type: 'integer', minimum: 0 },
          input: usdPerMillion,
          output: usdPerMillion,
          cached_input: usdPerMillion,
          cache_write: usdPerMillion,
          cache_write_1h: usdPerMillion,
        },
      },
    },
  },
} as const;

/** The `pricing:` section: model name (as the provider reports it) → prices. */
export const pricingSchema = {
  type: 'object',
  description: 'USD per 1M tokens, by upstream model name; overrides or adds to the built-in price table.',
  additionalProperties: modelPriceSchema,
  default: {},
} as const;
