/**
 * The routing knobs of proxy.yaml (`retry`, `cooldown`, `route`, `strategy`, hedging, timeouts, context-window
 * fallbacks): their JSON Schema fragments, which schema.ts places, and the matching TypeScript shapes.
 */

const positiveInt = { type: 'integer', minimum: 1 } as const;
const nonNegativeInt = { type: 'integer', minimum: 0 } as const;
const positiveNumber = { type: 'number', exclusiveMinimum: 0 } as const;
const aliasList = { type: 'array', items: { type: 'string' } } as const;

/** The bands of the prompt-complexity score (routing/complexity.ts draws them). */
export type ComplexityTier = 'simple' | 'medium' | 'complex';

/** Every value `strategy:` accepts. @example STRATEGIES.includes('lowest-cost') // true */
export const STRATEGIES = ['weighted', 'ordered', 'lowest-latency', 'lowest-cost', 'least-busy', 'best-value'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface RetryConfig {
  /** Tries of one target before moving on to the next (1 = no same-target retry). */
  attempts?: number;
  /** Base of the exponential backoff between tries, ms. */
  backoff_ms?: number;
  /** Cap of the backoff; an upstream asking to wait longer than this makes the gateway move on instead. */
  max_backoff_ms?: number;
}

export interface CooldownConfig {
  /** Failures inside `window_s` that trip the breaker. */
  failures?: number;
  window_s?: number;
  /** How long a tripped target is skipped before one probe request may test it. */
  duration_s?: number;
}

/** A numeric comparison; every bound given must hold. */
export interface Comparison {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export interface RouteCondition {
  has_tools?: boolean;
  has_images?: boolean;
  /** Estimated prompt tokens. */
  prompt_tokens?: Comparison;
  /** The completion budget the request asked for (`max_completion_tokens` or `max_tokens`). */
  max_tokens?: Comparison;
  /** Equality per key against the x-switchyard-metadata header. */
  metadata?: Record<string, string | number | boolean>;
  /** The caller's key name (set by the auth plugin); one name or a list. */
  key?: string | string[];
  /** A regular expression on the last user message; `/pattern/flags` form allowed. */
  match?: string;
  /** The prompt-complexity score (0…1) compared, or its tier(s): simple, medium, complex (routing/complexity.ts). */
  complexity?: Comparison | ComplexityTier | ComplexityTier[];
}

export interface RouteRuleConfig {
  /** Shown in the x-switchyard-route response header; defaults to `<alias>.route[<index>]`. */
  name?: string;
  /** Every condition must hold; no `when` makes the rule match everything (the default route). */
  when?: RouteCondition;
  /** The alias that serves matching requests. */
  to: string;
}

/** How `best-value` trades expected quality against cost and latency (each relative to the alias's dearest/slowest target). */
export interface BestValueWeights {
  quality?: number;
  cost?: number;
  latency?: number;
}

/** The top-level `feedback:` section: where ratings live and how fast they fade. */
export interface FeedbackConfig {
  store: string;
  half_life_h: number;
  rateable_h: number;
  refresh_s: number;
}

/** The routing keys an alias may carry (besides `targets` and `fallbacks`). */
export interface AliasRoutingConfig {
  strategy?: Strategy;
  retry?: RetryConfig;
  cooldown?: CooldownConfig;
  route?: RouteRuleConfig[];
  /** Weights of the `best-value` strategy. */
  best_value?: BestValueWeights;
  /** Keep a conversation on the target that served it (provider prompt caches keep hitting). */
  affinity?: boolean | { ttl_s?: number };
  context_window_fallbacks?: string[];
  hedge_after_ms?: number;
  timeout_ms?: number;
}

/** `retry:` (top level or on an alias). @example retry: { attempts: 2, backoff_ms: 100, max_backoff_ms: 5000 } */
export const retrySchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Retries of one target on connection errors, timeouts, 408, 429 and 5xx, with exponential backoff and full jitter.',
  properties: {
    attempts: { ...positiveInt, description: 'Tries of one target before moving on (default 1: no same-target retry).' },
    backoff_ms: { ...nonNegativeInt, description: 'Backoff base, doubled per try (default 100).' },
    max_backoff_ms: { ...nonNegativeInt, description: 'Backoff cap; a longer Retry-After moves on and cools the target down (default 5000).' },
  },
} as const;

/** `cooldown:` (top level or on an alias). @example cooldown: { failures: 3, window_s: 60, duration_s: 30 } */
export const cooldownSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Circuit breaker: a target with `failures` failures inside `window_s` is skipped for `duration_s`, then probed.',
  properties: {
    failures: { ...positiveInt, description: 'Failures that trip the breaker (default 3).' },
    window_s: { ...positiveNumber, description: 'Window the failures are counted in, seconds (default 60).' },
    duration_s: { ...positiveNumber, description: 'How long a tripped target is skipped, seconds (default 30).' },
  },
} as const;

const comparisonSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { gt: { type: 'number' }, gte: { type: 'number' }, lt: { type: 'number' }, lte: { type: 'number' } },
} as const;

const complexityTiers = ['simple', 'medium', 'complex'] satisfies ComplexityTier[];

const conditionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    has_tools: { type: 'boolean' },
    has_images: { type: 'boolean' },
    prompt_tokens: comparisonSchema,
    max_tokens: comparisonSchema,
    metadata: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    key: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
    match: { type: 'string', minLength: 1 },
    complexity: {
      description: 'The prompt-complexity score (0…1) compared ({ gte: 0.6 }), or a tier or list of tiers: simple, medium, complex.',
      anyOf: [comparisonSchema, { enum: complexityTiers }, { type: 'array', items: { enum: complexityTiers }, minItems: 1, uniqueItems: true }],
    },
  },
} as const;

const ruleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['to'],
  properties: {
    name: { type: 'string', minLength: 1 },
    when: conditionSchema,
    to: { type: 'string', description: 'The alias that serves requests matching `when`.' },
  },
} as const;

/**
 * Properties merged into the alias schema.
 *
 * @example const aliasSchema = { type: 'object', properties: { targets, fallbacks, ...aliasRoutingProperties } };
 */
export const aliasRoutingProperties = {
  strategy: { enum: STRATEGIES, default: 'weighted' },
  retry: retrySchema,
  cooldown: cooldownSchema,
  route: { type: 'array', minItems: 1, items: ruleSchema, description: 'Rules tried in order; the first match names the alias that serves the request.' },
  context_window_fallbacks: { ...aliasList, description: 'Aliases tried when the upstream says the prompt exceeds its context window.' },
  best_value: {
    type: 'object',
    additionalProperties: false,
    description: 'Weights of the best-value strategy: expected quality (from feedback) against relative cost and latency.',
    properties: {
      quality: { type: 'number', minimum: 0, default: 1 },
      cost: { type: 'number', minimum: 0, default: 0.5 },
      latency: { type: 'number', minimum: 0, default: 0.2 },
    },
  },
  affinity: {
    description: 'Keep a conversation (same key, same leading messages) on the target that served it, unless it is cooling down.',
    anyOf: [
      { type: 'boolean' },
      {
        type: 'object',
        additionalProperties: false,
        properties: { ttl_s: { ...positiveNumber, description: 'How long a pin lasts after its last use (default 300).' } },
      },
    ],
  },
  hedge_after_ms: { ...positiveInt, description: 'Start the same request on the next target if the first gave no first byte by then.' },
  timeout_ms: { ...positiveInt, description: 'Bound on the whole routing of one request: every try, backoff and fallback.' },
} as const;

/** The top-level `feedback:` section's schema. */
export const feedbackSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Quality feedback (POST /v1/feedback) and the estimates the best-value strategy samples.',
  properties: {
    store: {
      type: 'string',
      pattern: '^(memory|sqlite://.+|postgres(ql)?://.+|rediss?://.+)$',
      default: 'sqlite://./data/feedback.db',
      description: 'memory, sqlite://PATH (relative to this file), postgres://… or redis://….',
    },
    half_life_h: { ...positiveNumber, default: 72, description: 'A rating counts half after this many hours.' },
    rateable_h: { ...positiveNumber, default: 24, description: 'How long after it was served a request may be rated.' },
    refresh_s: { ...positiveNumber, default: 5, description: "How often other instances' ratings are read." },
  },
} as const;

/** Top-level defaults every alias inherits. @example properties: { providers, models, ...topLevelRoutingProperties } */
export const topLevelRoutingProperties = {
  retry: retrySchema,
  cooldown: cooldownSchema,
} as const;
