/**
 * The plugin contract and the request context that flows through it (plugins import it from 'switchyard').
 *
 * Lifecycle of one request, in this fixed order (each hook runs for every plugin, in config order):
 *   0. onHeaders       – before the body is read (ctx.body is `{}`): may throw a GatewayError to refuse from the
 *                        headers alone (the auth plugin's key check), so a refused body is never parsed
 *   1. onRequest       – may modify ctx.body, answer directly (`{ respond }`), or throw a GatewayError
 *   2. beforeAttempt   – before each upstream attempt (retries, fallbacks and hedges included)
 *      aroundAttempt   – wraps each upstream attempt: the first plugin in config order is the outermost
 *   3. onUsage         – the usage of a JSON answer (chat or embeddings), before it is written (may set headers)
 *      onResponse      – a complete non-streamed answer, before it is written (may replace it)
 *      onStreamChunk   – each streamed chunk, before it is written (may replace or drop it)
 *   4. onError         – when the request failed (called before onComplete)
 *   5. onComplete      – exactly once per request its onHeaders saw (body errors included), with the outcome and usage
 * A hook that throws a GatewayError fails the request with that error; any other throw fails it with a 500
 * naming the plugin, and is logged. An asynchronous hook that does not settle within
 * `server.plugin_hook_timeout_ms` fails the request with a 500 `plugin_timeout`. The process never dies of a plugin.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayError } from '../errors';
import type { AbortSource } from '../upstream/abort-flag';
import type { Logger } from '../observability/logger';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingsRequest, Usage } from '../providers/openai-types';

/** Which front-door endpoint a request came through. */
/** `count_tokens` (POST /v1/messages/count_tokens) calls no model: nothing to price, cache or rate-limit by tokens. */
/** `completions` (POST /v1/completions, legacy) is served as chat: plugins see the chat request it becomes. */
export type Endpoint = 'chat' | 'completions' | 'embeddings' | 'models' | 'messages' | 'count_tokens' | 'feedback' | 'passthrough' | GatewayOwnEndpoint;

/**
 * The gateway's own answers (health probes, /metrics, plugin routes, unknown paths): logged and counted like
 * every answer, but no plugin hook runs for them.
 */
export type GatewayOwnEndpoint = 'health' | 'metrics' | 'plugin_route' | 'preflight' | 'unknown';

/** The authenticated caller, set by an auth plugin. Absent when no auth plugin runs. */
export interface Caller {
  /** The key's name from config (never the key itself). */
  keyName: string;
  /** Aliases this key may use; `['*']` means all. */
  models: string[];
}

/**
 * The typed per-request state of plugins, read and written with `ctx.get(key)` and `ctx.set(key, value)`.
 * Empty here: each plugin adds its keys by declaration merging, so a key has one type everywhere.
 *
 * @example
 * declare module 'switchyard' {
 *   interface RequestVariables { tenant: string }
 * }
 * ctx.set('tenant', 'acme'); ctx.get('tenant') // string | undefined
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RequestVariables {}

/** A value a plugin may add to the request's log line (`ctx.logField`). */
export type LogFieldValue = string | number | boolean | null;

/**
 * How an upstream attempt failed; routing decides retries, cooldowns and failover by it. Only `status` (and the
 * stream kinds, after a 200) come with an HTTP status; the rest had no answer the gateway could use.
 */
export type AttemptFailureKind =
  | 'network' // connection refused or dropped, host not found
  | 'connect_timeout'
  | 'first_byte_timeout' // no response headers, or no first stream chunk, within first_byte_timeout_ms
  | 'idle_timeout' // the upstream went silent in the middle of its answer
  | 'attempt_timeout' // the attempt's timeout_ms ran out
  | 'status' // an HTTP error status (AttemptRecord.status says which)
  | 'stream_error' // a stream that started with 200 carried an error event or an unreadable event
  | 'stream_cut' // a stream that ended before it was complete, or without any chunk
  | 'bad_answer' // a 2xx answer the gateway cannot read (invalid JSON, no choices)
  | 'too_large' // an answer over the gateway's byte limit
  | 'refused' // never sent: the adapter cannot express the request, or the provider lacks the endpoint
  | 'client_abort' // whoever waited gave up: the client left, the routing deadline passed, or a hedge won
  | 'skipped'; // never called: the provider is unavailable or the target is cooling down

/** One upstream attempt, recorded for headers, logs and the all-failed error message. */
export interface AttemptRecord {
  alias: string;
  provider: string;
  model: string;
  /** The upstream's HTTP status; absent when no response arrived (connection error, timeout, skipped). */
  status?: number;
  /** How the attempt failed; absent on success. */
  kind?: AttemptFailureKind;
  /** Short reason for a failed attempt; absent on success. */
  reason?: string;
  latencyMs: number;
  /** When the upstream call began, in ms since the request arrived (after plugins' beforeAttempt and aroundAttempt waits). */
  startMs?: number;
  /** Time until the upstream's response headers arrived (ms). */
  ttfbMs?: number;
  ok: boolean;
  /** The failure was a timeout (one of the `*_timeout` kinds). */
  timedOut?: boolean;
  /** The target was never called (provider unavailable, cooling down). */
  skipped?: boolean;
  /** Started as a hedge against a slow earlier attempt (see routing/hedge.ts). */
  hedge?: boolean;
  retryAfterMs?: number;
  /** The normalised error code of a failed attempt (upstream_overloaded, model_not_found, …), for the final error. */
  code?: string;
}

/** The typed state of one request. Plugins read and write its fields; there is no untyped bag. */
export interface RequestContext {
  readonly id: string;
  readonly endpoint: Endpoint;
  /** Wall-clock start (ms since epoch) and a monotonic start for latency. */
  readonly startedAt: number;
  readonly startedMono: number;
  readonly headers: IncomingHttpHeaders;
  /** Aborted when the client disconnects; every upstream call listens to it. Made on first use. */
  readonly signal: AbortSignal;
  /**
   * The same disconnect without making an AbortSignal (about 2 µs each): `aborted` and abort listeners, enough
   * for code of one's own that waits. Prefer it to `signal` on a hot path.
   *
   * @example queue.wait(deadline, ctx.clientAbort)
   */
  readonly clientAbort: AbortSource;
  readonly log: Logger;
  /** The request body (validated). Plugins may modify it in onRequest. Empty object for GET endpoints. */
  body: ChatRequest | EmbeddingsRequest | Record<string, unknown>;
  /** The alias the client asked for (`body.model` as received). */
  readonly requestedAlias: string;
  /** True for `stream: true` chat requests. */
  readonly stream: boolean;
  /** Set by an auth plugin. */
  caller?: Caller;
  /** Parsed from the x-switchyard-metadata header (JSON object of strings). */
  metadata: Record<string, string>;
  /** Headers added to the response by plugins and the gateway (lower-case names). */
  responseHeaders: Record<string, string>;
  /** Every upstream attempt so far. */
  attempts: AttemptRecord[];
  /** The alias, provider and upstream model that finally answered. */
  servedBy?: { alias: string; provider: string; model: string };
  /** Final token usage, once known. */
  usage?: Usage;
  /** A plugin's value for this request, or undefined when none was set. @example ctx.get('tenant') */
  get<K extends keyof RequestVariables>(key: K): RequestVariables[K] | undefined;
  /** Sets a plugin's value for this request (declare the key in RequestVariables first). @example ctx.set('tenant', 'acme') */
  set<K extends keyof RequestVariables>(key: K, value: RequestVariables[K]): void;
  /**
   * Adds a field to the request's log line (written once the request finished). A name the gateway logs itself
   * (status, alias, …) keeps the gateway's value. `undefined` removes the field again.
   *
   * @example ctx.logField('cache', 'hit')
   */
  logField(name: string, value: LogFieldValue | undefined): void;
  /** The fields added with logField, for the request log line; undefined when there are none. */
  readonly logFields: Readonly<Record<string, LogFieldValue>> | undefined;
}

/** The upstream attempt a beforeAttempt or aroundAttempt hook is told about. `body` is what will be sent. */
export interface AttemptInfo {
  alias: string;
  provider: string;
  model: string;
  body: ChatRequest | EmbeddingsRequest;
}

/** What `next()` of an aroundAttempt hook resolves with once the upstream answered. */
export interface AttemptResult {
  /**
   * Resolves when the answer stops using its upstream connection: at once for a JSON answer, when the stream
   * ended (or was abandoned) for a streamed one. Hold per-connection resources until then.
   */
  readonly released: Promise<void>;
}

/** What `onRequest` may return to answer without calling any upstream (e.g. a cache hit). */
export interface DirectAnswer {
  respond: ChatCompletion;
}

/** The outcome passed to `onComplete`. */
export interface RequestOutcome {
  status: number;
  /** The full answer (assembled from the stream for streamed requests); absent on failure. */
  response?: ChatCompletion;
  /** `response` as JSON text, when the gateway already serialised it to answer (saves doing it twice). */
  responseJson?: string;
  /** True when a stream ended normally (with [DONE]); false when it was cut by an error or a client abort. */
  completed: boolean;
  /** True when `response` is shorter than what the client got (a stream past the assembler's cap): never cache it. */
  truncated?: boolean;
  error?: GatewayError;
  usage?: Usage;
  latencyMs: number;
}

/** Label values of one series: label name → value. Only bounded values (names from the config, statuses). */
export type MetricLabels = Readonly<Record<string, string>>;

/** A counter registered through `env.metrics`. */
export interface PluginCounter {
  /** @example requests.inc(1, { result: 'hit' }) */
  inc(by?: number, labels?: MetricLabels): void;
}

/** A gauge registered through `env.metrics`. */
export interface PluginGauge {
  /** @example depth.set(queue.length, { scope: 'total' }) */
  set(value: number, labels?: MetricLabels): void;
}

/** A histogram registered through `env.metrics`. */
export interface PluginHistogram {
  /** @example wait.observe(0.25, { result: 'admitted' }) */
  observe(value: number, labels?: MetricLabels): void;
}

/**
 * Prometheus metrics of a plugin, served at GET /metrics with the gateway's own. Names are given without the
 * `switchyard_` prefix, which is added. Registering the same name again (after a reload) returns the same series,
 * so counts survive reloads; a name the gateway uses, or a second registration with another kind or other labels,
 * throws (and fails the config load).
 */
export interface PluginMetrics {
  /** @example const hits = env.metrics.counter('cache_requests_total', 'Cache lookups by result.', ['alias', 'result']); */
  counter(name: string, help: string, labelNames?: readonly string[]): PluginCounter;
  /** @example const depth = env.metrics.gauge('ratelimit_queue_depth', 'Requests waiting.', ['scope']); */
  gauge(name: string, help: string, labelNames?: readonly string[]): PluginGauge;
  /** Buckets are upper bounds, in seconds for durations. @example env.metrics.histogram('x_seconds', 'X.', [0.1, 1], ['result']) */
  histogram(name: string, help: string, buckets: readonly number[], labelNames?: readonly string[]): PluginHistogram;
  /**
   * The bounded alias, provider and model labels of a request, as the gateway's own request metrics use them:
   * the alias the client asked for if the config has it, else the one that answered, else "unknown" ("none"
   * when it named none);
   * provider and model of the target that answered, else "none".
   *
   * @example cost.inc(usd, env.metrics.requestLabels(ctx))
   */
  requestLabels(ctx: RequestContext): { alias: string; provider: string; model: string };
}

/** What a plugin gets at load time. */
export interface PluginEnv {
  /** Absolute directory of the config file, for resolving relative paths in options. */
  configDir: string;
  log: Logger;
  /**
   * State that survives config reloads: the same key returns the same object across reloads for as long
   * as the plugin stays configured. Use it for counters, caches and connections.
   */
  keep<T>(key: string, create: () => T): T;
  /** Price table and other config sections other plugins may need (read-only). */
  config: Readonly<Record<string, unknown>>;
  /** Prometheus metrics of this plugin (see PluginMetrics). */
  metrics: PluginMetrics;
  /**
   * True when the request presents the admin key (the auth plugin's `admin_key`), compared in constant time;
   * false when it does not, or when no admin key is configured.
   *
   * @example if (!env.isAdmin(req.headers)) throw errors.adminKeyRequired('GET /admin/usage');
   */
  isAdmin(headers: IncomingHttpHeaders): boolean;
  /**
   * Refuses a request without the admin key: 403 `admin_disabled` when no admin key is configured, else 401
   * `invalid_admin_key`. For the start of an admin route's `handle`.
   *
   * @example handle(req) { env.requireAdmin(req.headers, 'GET /admin/usage'); … }
   */
  requireAdmin(headers: IncomingHttpHeaders, route: string): void;
}

/** A loaded plugin instance: its hooks. Every hook is optional. */
export interface PluginHooks {
  /** Runs before the body is read; synchronous hooks keep the request within the event that brought its headers. */
  onHeaders?(ctx: RequestContext): void | Promise<void>;
  onRequest?(ctx: RequestContext): void | DirectAnswer | Promise<void | DirectAnswer>;
  beforeAttempt?(ctx: RequestContext, attempt: AttemptInfo): void | Promise<void>;
  /**
   * Wraps one upstream attempt: call `next()` exactly once to make it, and return what it resolved with (or throw).
   * Time the hook spends before `next()` and after it settles counts against the hook timeout; the upstream's
   * own time does not (it has its own timeouts).
   *
   * @example
   * async aroundAttempt(ctx, attempt, next) {
   *   const release = await slots.take(attempt.provider);
   *   try { const result = await next(); result.released.then(release, release); return result; }
   *   catch (err) { release(); throw err; }
   * }
   */
  aroundAttempt?(ctx: RequestContext, attempt: AttemptInfo, next: () => Promise<AttemptResult>): Promise<AttemptResult>;
  /**
   * The usage of a JSON answer (chat completions and embeddings) is known and the answer is not written yet:
   * set response headers from it (the cost-log plugin's x-switchyard-cost-usd). Synchronous. A stream's usage
   * arrives in its final chunk, which passes through onStreamChunk. `upstreamModel` is the model the provider
   * says it served (e.g. gpt-4o behind an Azure deployment named prod-chat), when it said.
   */
  onUsage?(ctx: RequestContext, usage: Usage, upstreamModel?: string): void;
  onResponse?(ctx: RequestContext, response: ChatCompletion): void | ChatCompletion | Promise<void | ChatCompletion>;
  /** Synchronous on purpose: it runs for every chunk of every stream. Return null to drop the chunk. */
  onStreamChunk?(ctx: RequestContext, chunk: ChatCompletionChunk): void | ChatCompletionChunk | null;
  onComplete?(ctx: RequestContext, outcome: RequestOutcome): void | Promise<void>;
  onError?(ctx: RequestContext, error: GatewayError): void | Promise<void>;
  /** Restricts GET /v1/models to what this caller may use. */
  filterModels?(ctx: RequestContext, aliases: string[]): string[];
  /** Extra routes (e.g. admin endpoints) are mounted by the server from this list. */
  routes?: PluginRoute[];
  /** Called when the plugin instance is retired (after a reload, once its in-flight requests finished, or at shutdown). */
  close?(): void | Promise<void>;
}

/** An HTTP route contributed by a plugin, e.g. GET /admin/spend. */
export interface PluginRoute {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  handle(req: {
    headers: IncomingHttpHeaders;
    query: Record<string, string>;
    body: unknown;
  }): Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;
}

/**
 * A plugin module. Export it as `module.exports = plugin` (or `export default`); `definePlugin` types it.
 *
 * @example
 * const { definePlugin } = require('switchyard');
 * module.exports = definePlugin({
 *   name: 'tag-user',
 *   optionsSchema: { type: 'object', properties: { tag: { type: 'string' } }, required: ['tag'] },
 *   create(options) {
 *     return { onRequest(ctx) { ctx.body.user = options.tag; } };
 *   },
 * });
 */
export interface PluginModule<Options = Record<string, unknown>> {
  name: string;
  /** JSON Schema for the options (the plugin's entry in proxy.yaml without `use`); validated with ajv at load. */
  optionsSchema?: Record<string, unknown>;
  create(options: Options, env: PluginEnv): PluginHooks | Promise<PluginHooks>;
}
