/**
 * The shape of proxy.yaml after parsing, interpolation and validation. `schema.ts` is the JSON Schema that
 * guarantees it; keep the two in step.
 */
import type { TracingConfig } from '../observability/tracing';
import type { AliasRoutingConfig, CooldownConfig, FeedbackConfig, RetryConfig, Strategy } from './routing-schema';
import type { ModelPrice } from '../pricing/price-table';

export type { Strategy };

export interface ServerConfig {
  host: string;
  port: number;
  /** Largest accepted request body, in MiB. */
  max_body_mb: number;
  /** Objects, arrays and object keys a JSON request body may hold in all (413 json_too_many_nodes past it). */
  max_json_nodes: number;
  /** CORS for browser apps; absent: no CORS headers. */
  cors?: CorsConfig;
  /** How long SIGTERM waits for in-flight requests before exiting anyway. */
  shutdown_timeout_ms: number;
  /** Time a client has to send its request headers, ms. */
  header_timeout_ms: number;
  /** Time a client has to send its whole request (not the response), ms. */
  request_timeout_ms: number;
  /** Open client connections at most. */
  max_connections: number;
  /** Buffered (JSON) upstream answers held across all requests, MiB. */
  max_buffered_upstream_mb: number;
  /** Streamed answers' text kept (for plugins, the cache and the log) across all streams, Mi characters. */
  max_kept_stream_text_mb: number;
  /** Longest time a plugin's asynchronous hook may take before its request fails (500 plugin_timeout), ms. */
  plugin_hook_timeout_ms: number;
  metrics: { enabled: boolean; require_admin_key: boolean };
  /** The web dashboard at /ui (src/dashboard/); absent: off. */
  dashboard?: DashboardConfig;
}

/** `server.dashboard`: the web dashboard (docs/dashboard.md). */
export interface DashboardConfig {
  enabled: boolean;
  /** Keep the request log with the pages off (for replay); unset: as `enabled`. */
  record?: boolean;
  session_ttl_minutes: number;
  recent_requests: number;
  log_content: boolean;
  base_path?: string;
  /** Wrong admin keys one client address may send within the window before logins answer 429. */
  login_max_failures: number;
  login_window_minutes: number;
  /** Reverse proxies in front that append to x-forwarded-for (0: use the socket address). */
  trusted_proxy_hops: number;
  /** Where the request log lives: memory, sqlite://PATH (default switchyard-requests.db beside the config) or postgres://…. */
  store: string;
  /** Days a recorded request (and its rollup rows) is kept. */
  retention_days: number;
}

export interface MockOptions {
  /** Delay before the answer (and between stream chunks), ms. */
  latency_ms?: number;
  /** Fixed reply text; by default the mock echoes the last user message. */
  reply?: string;
  /** Fail every request with this upstream status (e.g. 500, 429), for demos of fallback. */
  fail_status?: number;
}

export interface ProviderConfig {
  api: string;
  base_url?: string;
  api_key?: string;
  headers?: Record<string, string>;
  drop_params?: string[];
  /** Total time for one upstream attempt, ms. */
  timeout_ms?: number;
  connect_timeout_ms?: number;
  /** Time allowed until the upstream's response starts, ms. */
  first_byte_timeout_ms?: number;
  /** Keep-alive connections in this provider's pool, and requests in flight to it at most (default 128). */
  max_connections?: number;
  /** Requests that may wait for a free connection (default 1024). */
  max_queued?: number;
  /** Longest wait for a free connection, ms (default 5000). */
  queue_timeout_ms?: number;
  /** Largest buffered (JSON) answer, MiB (default 64). */
  max_answer_mb?: number;
  mock?: MockOptions;
  /** The catalog provider this entry was filled from (the loader writes the catalog id here; config/presets.ts). */
  preset?: string;
  /** Serve every catalog model of this provider as `<provider>/<model>` (routing/wildcard-aliases.ts). */
  expose_catalog?: boolean;
  /** Active health checks (routing/health-checks.ts). */
  health_check?: HealthCheckConfig;
  /** Prices for this provider's targets when neither the served model nor the target's model has one. */
  price?: ModelPrice;
  /** Anything else is adapter-specific (azure `api_version`, anthropic `version`, …). */
  [k: string]: unknown;
}

/** `providers.<name>.health_check`: a cheap request on an interval, feeding the cooldown book. */
export interface HealthCheckConfig {
  interval_s: number;
  kind: 'models' | 'completion';
  /** The model a completion check asks. */
  model?: string;
  timeout_ms: number;
  /** How long a failed check cools the provider down, s. */
  cooldown_s?: number;
}

export interface TargetConfig {
  provider: string;
  model: string;
  weight?: number;
  /** Prices for this target when neither the served model nor its model has one (wins over the provider's `price:`). */
  price?: ModelPrice;
}

/** An alias has `targets` (and optionally `fallbacks`), or `route` rules; routing keys are in routing-schema.ts. */
export interface AliasConfig extends AliasRoutingConfig {
  targets?: TargetConfig[];
  fallbacks?: string[];
  /** For a wildcard key (`deepseek/*`): the provider serving every `deepseek/<model>`. */
  provider?: string;
  [k: string]: unknown;
}

export interface PluginEntry {
  use: string;
  [option: string]: unknown;
}

export interface LoggingConfig {
  level: string;
}

export interface GatewayConfig {
  server: ServerConfig;
  logging: LoggingConfig;
  providers: Record<string, ProviderConfig>;
  models: Record<string, AliasConfig>;
  plugins: PluginEntry[];
  /** Defaults every alias inherits (see routing-schema.ts). */
  retry?: RetryConfig;
  cooldown?: CooldownConfig;
  /** Present when quality feedback is on (defaults filled in by the schema). */
  feedback?: FeedbackConfig;
  /** Worker processes (`--workers`); read at start only. */
  workers?: number | 'auto';
  /** OpenTelemetry export; off unless `enabled: true` (defaults filled in by the schema). */
  tracing?: TracingConfig;
  [section: string]: unknown;
}

/** `server.cors`: the page origins that may call the gateway from a browser. */
export interface CorsConfig {
  /** Exact origins (`https://app.example.com`), or `*` for any. */
  allow_origins: string[];
  /** How long a browser may keep a preflight answer, seconds. */
  max_age_s: number;
}
