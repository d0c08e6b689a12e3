/**
 * Options of the rate-limit plugin and their JSON Schema.
 */

/** Requests and tokens per minute. */
export interface MinuteLimits {
  rpm?: number;
  tpm?: number;
}

export interface RateLimitOptions {
  /** "memory" (default) or a redis:// URL shared by every gateway instance. */
  store?: string;
  /** How long a request over a limit may wait for a slot before it gets 429. */
  max_queue_ms?: number;
  /** Limits for keys that have none of their own. */
  per_key?: MinuteLimits;
  /** Limits per alias, over all keys. */
  per_alias?: Record<string, MinuteLimits>;
  /** Completion tokens assumed at admission for a request without max_tokens (corrected afterwards). */
  default_completion_tokens?: number;
}

const minuteLimits = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rpm: { type: 'number', exclusiveMinimum: 0, description: 'Requests per minute.' },
    tpm: { type: 'number', exclusiveMinimum: 0, description: 'Tokens per minute (prompt estimate + max_tokens, corrected by real usage).' },
  },
} as const;

export const rateLimitOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    store: { type: 'string', pattern: '^(memory|rediss?://.+)$', description: '"memory" or a redis:// URL to share limits between instances.' },
    max_queue_ms: { type: 'integer', minimum: 0, description: 'Longest wait for a slot before answering 429.' },
    per_key: minuteLimits,
    per_alias: { type: 'object', additionalProperties: minuteLimits },
    default_completion_tokens: { type: 'integer', minimum: 0 },
  },
} as const;

export const DEFAULT_MAX_QUEUE_MS = 2000;
export const DEFAULT_COMPLETION_TOKENS = 256;
