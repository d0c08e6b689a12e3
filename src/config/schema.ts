/**
 * JSON Schema for proxy.yaml. ajv validates every load against it (with defaults filled in), `switchyard schema`
 * prints it, and proxy.schema.json is generated from it for editors.
 */
import { aliasRoutingProperties, feedbackSchema, topLevelRoutingProperties } from './routing-schema';
import { priceOverrideSchema, pricingSchema } from '../pricing/schema';
import { responsesConfigSchema } from '../responses/store/config';

const positiveInt = { type: 'integer', minimum: 1 } as const;
const nonNegativeInt = { type: 'integer', minimum: 0 } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

const providerSchema = {
  type: 'object',
  description: 'One upstream account.',
  // `api` or `preset` (which fills `api` in): checked in checks.ts, after the loader expanded presets.
  properties: {
    api: { type: 'string', description: 'Adapter: openai (any OpenAI-compatible vendor), mock, or a native adapter.' },
    base_url: { type: 'string', pattern: '^https?://', description: 'Base URL including the version path, e.g. https://api.openai.com/v1' },
    api_key: { type: 'string', description: 'Usually "${ENV_VAR}". An empty value marks the provider unavailable.' },
    headers: { ...stringMap, description: 'Extra headers sent on every upstream request.' },
    drop_params: { type: 'array', items: { type: 'string' }, description: 'Request fields this vendor rejects; removed before sending.' },
    timeout_ms: { ...positiveInt, description: 'Total time allowed for one attempt.' },
    connect_timeout_ms: { ...positiveInt, description: 'Time allowed to open a connection.' },
    first_byte_timeout_ms: { ...positiveInt, description: 'Time allowed until the response starts.' },
    max_connections: { ...positiveInt, description: "Keep-alive connections in this provider's pool, and requests in flight to it at most (default 128)." },
    max_queued: {
      ...nonNegativeInt,
      description: 'Requests that may wait for a free connection while all are busy (default 1024); past it a request fails over at once. 0: never wait.',
    },
    queue_timeout_ms: {
      ...positiveInt,
      description: 'Longest wait for a free connection (default 5000); then the request fails over to the next target, or gets a 503.',
    },
    max_answer_mb: {
      type: 'number',
      exclusiveMinimum: 0,
      description: 'Largest non-streamed answer read from this provider, in MiB (default 64); a larger one fails the attempt with a 502.',
    },
    price: priceOverrideSchema,
    preset: {
      type: 'string',
      description:
        'A catalog provider (deepseek, qwen, mistral, groq, together, fireworks, xai, openrouter, moonshot, zai, minimax, perplexity, cerebras, deepinfra, ollama, vllm, lmstudio…): fills in api, base_url and api_key (its key variable) unless set here.',
    },
    expose_catalog: {
      type: 'boolean',
      description: 'Serve every catalog model of this provider as "<provider>/<model>" without an alias each (see docs/providers.md).',
    },
    health_check: {
      type: 'object',
      additionalProperties: false,
      required: ['interval_s'],
      description: 'Active health check: a cheap request on an interval; a failure cools the provider down, a pass clears it.',
      properties: {
        interval_s: { type: 'number', exclusiveMinimum: 0, description: 'Seconds between checks.' },
        kind: { enum: ['models', 'completion'], default: 'models', description: 'models: GET /models; completion: a one-token chat request.' },
        model: { type: 'string', description: 'The model a completion check asks (required for kind: completion).' },
        timeout_ms: { ...positiveInt, default: 5000 },
        cooldown_s: {
          type: 'number',
          exclusiveMinimum: 0,
          description: 'How long a failed check cools the provider down (default: until the next check passes, at most 10 intervals).',
        },
      },
    },
    mock: {
      type: 'object',
      additionalProperties: false,
      description: 'Settings of the built-in mock provider (api: mock).',
      properties: {
        latency_ms: nonNegativeInt,
        reply: { type: 'string' },
        fail_status: { type: 'integer', minimum: 400, maximum: 599 },
      },
    },
  },
  // Native adapters take settings of their own (azure api_version, anthropic version); they validate them.
  additionalProperties: true,
} as const;

const targetSchema = {
  type: 'object',
  required: ['provider', 'model'],
  additionalProperties: false,
  properties: {
    provider: { type: 'string', description: 'A key of `providers`.' },
    model: { type: 'string', description: "The provider's model name (the deployment name for azure)." },
    weight: { type: 'number', exclusiveMinimum: 0, default: 1 },
    price: priceOverrideSchema,
  },
} as const;

const aliasSchema = {
  type: 'object',
  additionalProperties: false,
  // `targets` or `route` (not both) is checked in routing/config-checks.ts, which words it better than oneOf.
  properties: {
    targets: { type: 'array', minItems: 1, items: targetSchema },
    fallbacks: { type: 'array', items: { type: 'string' }, description: 'Aliases tried in order after every target failed.' },
    provider: { type: 'string', description: 'For a wildcard key ("deepseek/*"): the provider that serves every "deepseek/<model>".' },
    ...aliasRoutingProperties,
  },
} as const;

/** The schema object. Other modules extend `properties` of the sections they own before the validator is built. */
export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://switchyard.dev/proxy.schema.json',
  title: 'Switchyard proxy.yaml',
  type: 'object',
  additionalProperties: false,
  required: ['providers', 'models'],
  properties: {
    server: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 4000 },
        max_body_mb: { type: 'number', exclusiveMinimum: 0, default: 32 },
        max_json_nodes: {
          ...positiveInt,
          default: 100000,
          description:
            'Objects, arrays and object keys a JSON request body may hold in all; past it: 413 json_too_many_nodes (parsing such a body would stall the gateway).',
        },
        cors: {
          type: 'object',
          additionalProperties: false,
          required: ['allow_origins'],
          description: 'CORS for browser apps: the page origins that may call the gateway. Absent: no CORS headers at all.',
          properties: {
            allow_origins: {
              type: 'array',
              minItems: 1,
              items: { type: 'string', pattern: '^(\\*|https?://[^/\\s]+)$' },
              description: 'Origins exactly as browsers send them (https://app.example.com, with a port if not the default), or "*" for any.',
            },
            max_age_s: { type: 'integer', minimum: 0, maximum: 86400, default: 600, description: 'How long a browser may keep a preflight answer.' },
          },
        },
        shutdown_timeout_ms: { ...positiveInt, default: 10000 },
        header_timeout_ms: { ...positiveInt, default: 30000, description: 'Time a client has to send its request headers (slow-loris guard).' },
        request_timeout_ms: {
          ...positiveInt,
          default: 120000,
          description: 'Time a client has to send its whole request, body included. Responses (long streams) are not limited by it.',
        },
        max_connections: { ...positiveInt, default: 4096, description: 'Open client connections at most; further ones are refused at once.' },
        max_buffered_upstream_mb: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 256,
          description: 'Non-streamed upstream answers held in memory across all requests at once, in MiB; an attempt that would pass it fails with a 502.',
        },
        max_kept_stream_text_mb: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 16,
          description:
            'Text of streamed answers kept for plugins, the cache and the log, across all streams at once, in Mi characters; past it a stream keeps nothing more (the client still gets every byte) and its answer is marked truncated.',
        },
        plugin_hook_timeout_ms: {
          ...positiveInt,
          default: 30000,
          description: "Longest time a plugin's asynchronous hook may take; past it the request fails with 500 plugin_timeout.",
        },
        metrics: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'GET /metrics, Prometheus text format.',
          properties: {
            enabled: { type: 'boolean', default: true },
            require_admin_key: { type: 'boolean', default: false, description: "Serve /metrics only to callers presenting the auth plugin's admin_key." },
          },
        },
        dashboard: {
          type: 'object',
          additionalProperties: false,
          description: "The web dashboard at /ui (docs/dashboard.md), behind the auth plugin's admin_key.",
          properties: {
            enabled: { type: 'boolean', default: false },
            record: {
              type: 'boolean',
              description:
                'With enabled: false, keep the request log anyway (for switchyard replay) without serving the pages; unset: as enabled. The pages always record.',
            },
            session_ttl_minutes: { ...positiveInt, default: 480, description: 'How long a dashboard login lasts, minutes.' },
            recent_requests: {
              ...positiveInt,
              default: 2000,
              description: 'Finished requests the memory store keeps (a ring); the SQLite and PostgreSQL stores keep retention_days.',
            },
            log_content: {
              type: 'boolean',
              default: false,
              description: 'Keep prompt and answer text of recent requests for the Requests page (off: never kept).',
            },
            base_path: {
              type: 'string',
              pattern: '^(/[^/]+)*$',
              description: 'The path prefix a reverse proxy serves the gateway under (e.g. /gateway); x-forwarded-prefix overrides it.',
            },
            login_max_failures: {
              ...positiveInt,
              default: 5,
              description: 'Wrong admin keys one client address may send within login_window_minutes; past it logins answer 429.',
            },
            login_window_minutes: { ...positiveInt, default: 15, description: 'The window failed dashboard logins are counted in, minutes.' },
            trusted_proxy_hops: {
              ...nonNegativeInt,
              default: 0,
              description:
                'Reverse proxies in front of the gateway that append to x-forwarded-for; 0: the login throttle counts by the socket address and ignores the header.',
            },
            store: {
              type: 'string',
              pattern: '^(memory|sqlite://.+|postgres(ql)?://.+)$',
              default: 'sqlite://./switchyard-requests.db',
              description:
                'Where the request log (Requests, Overview, replay) lives: memory (recent_requests records, lost at restart), sqlite://PATH (relative to this file; several processes may share it) or postgres://… (?table=PREFIX).',
            },
            retention_days: {
              type: 'number',
              exclusiveMinimum: 0,
              default: 30,
              description: 'Recorded requests older than this are deleted, with their rollup rows (checked hourly).',
            },
          },
        },
      },
    },
    logging: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { level: { enum: ['error', 'warn', 'info', 'debug'], default: 'info' } },
    },
    providers: { type: 'object', additionalProperties: providerSchema, minProperties: 1 },
    models: { type: 'object', additionalProperties: aliasSchema, minProperties: 1 },
    ...topLevelRoutingProperties,
    pricing: pricingSchema,
    responses: responsesConfigSchema,
    feedback: feedbackSchema,
    workers: {
      description: 'Worker processes on one port (`auto`: one per core); --workers overrides. Read at start, not on reload.',
      anyOf: [{ type: 'integer', minimum: 1, maximum: 256 }, { const: 'auto' }],
    },
    tracing: {
      type: 'object',
      additionalProperties: false,
      description: 'OpenTelemetry traces over OTLP/HTTP: a span per request and per upstream attempt (GenAI conventions).',
      properties: {
        enabled: { type: 'boolean', default: false },
        endpoint: { type: 'string', pattern: '^https?://', default: 'http://127.0.0.1:4318/v1/traces', description: 'The OTLP/HTTP traces URL.' },
        sample_ratio: { type: 'number', minimum: 0, maximum: 1, default: 1, description: "Share of new traces recorded; a client's sampled flag is followed." },
        service_name: { type: 'string', minLength: 1, default: 'switchyard' },
        headers: { type: 'object', additionalProperties: { type: 'string' }, default: {}, description: 'Sent with every export.' },
        export_interval_ms: { type: 'integer', minimum: 10, default: 5000, description: 'Longest a finished span waits before export.' },
      },
    },
    plugins: {
      type: 'array',
      default: [],
      description: 'Ordered pipeline. `use` names a built-in or a path relative to this file; other keys are the plugin options.',
      items: { type: 'object', required: ['use'], properties: { use: { type: 'string', minLength: 1 } } },
    },
  },
} as const;
