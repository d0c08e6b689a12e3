/**
 * The `responses:` section of proxy.yaml: whether the gateway keeps Responses API state, where, and for how long.
 *
 * @example
 * responses:
 *   store: sqlite://./data/responses.db   # or memory, postgres://…, redis://…
 *   retention_days: 30
 */

export const DEFAULT_RESPONSE_STORE = 'sqlite://./data/responses.db';
export const DEFAULT_RETENTION_DAYS = 30;

/** JSON Schema of the section; config/schema.ts mounts it. */
export const responsesConfigSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'State of the Responses API (POST /v1/responses with store: true, previous_response_id, GET/DELETE /v1/responses/{id}).',
  properties: {
    enabled: {
      type: 'boolean',
      default: true,
      description: 'False: nothing is stored; store: true is answered but not kept, and previous_response_id is refused.',
    },
    store: {
      type: 'string',
      pattern: '^(memory|sqlite://.+|postgres(ql)?://.+|rediss?://.+)$',
      default: DEFAULT_RESPONSE_STORE,
      description:
        'memory (lost at restart), sqlite://PATH (relative to this file), postgres://… (?table=NAME) or redis://… (?prefix=KEYPREFIX) for several instances.',
    },
    retention_days: {
      type: 'number',
      exclusiveMinimum: 0,
      default: DEFAULT_RETENTION_DAYS,
      description: 'A stored response is readable for this long after it was made, then gone (purged hourly).',
    },
  },
} as const;

/** The section after validation (defaults filled in). */
export interface ResponsesConfig {
  enabled: boolean;
  store: string;
  retention_days: number;
}

/**
 * The section of a loaded config, with defaults for configs built without validation (tests).
 *
 * @example responsesConfigOf(snapshot.config).retention_days // 30
 */
export function responsesConfigOf(config: Readonly<Record<string, unknown>>): ResponsesConfig {
  const section = (config.responses ?? {}) as Partial<ResponsesConfig>;
  return {
    enabled: section.enabled ?? true,
    store: section.store ?? DEFAULT_RESPONSE_STORE,
    retention_days: section.retention_days ?? DEFAULT_RETENTION_DAYS,
  };
}
