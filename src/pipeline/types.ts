/**
 * The plugin contract and the request context that flows through it.
 *
 * Lifecycle of one request, in this fixed order (each hook runs for every plugin, in config order):
 *   0. onHeaders       – before the body is read (ctx.body is `{}`): may throw a GatewayError to refuse from the
 *                        headers alone (the auth plugin's key check), so a refused body is never parsed
 *   1. onRequest       – may modify ctx.body, answer directly (`{ respond }`), or throw a GatewayError
 *   2. beforeAttempt   – before each upstream attempt (retries and fallbacks included)
 *   3. onResponse      – a complete non-streamed answer, before it is written (may replace it)
 *      onStreamChunk   – each streamed chunk, before it is written (may replace or drop it)
 *   4. onComplete      – exactly once per request its onHeaders saw (body errors included), with the outcome and usage
 *   5. onError         – when the request failed (called before onComplete)
 * A hook that throws a GatewayError fails the request with that error; any other throw fails it with a 500
 * naming the plugin, and is logged. The process never dies of a plugin.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayError } from '../errors';
import type { Logger } from '../observability/logger';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingsRequest, Usage } from '../providers/openai-types';

/** Which front-door endpoint a request came through. */
export type Endpoint = 'chat' | 'embeddings' | 'models' | 'messages' | 'passthrough' | GatewayOwnEndpoint;

/**
 * The gateway's own answers (health probes, /metrics, plugin routes, unknown paths): logged and counted like
 * every answer, but no plugin hook runs for them.
 */
export type GatewayOwnEndpoint = 'health' | 'metrics' | 'plugin_route' | 'unknown';

/** The authenticated caller, set by an auth plugin. Absent when no auth plugin runs. */
export interface Caller {
  /** The key's name from config (never the key itself). */
  keyName: string;
  /** Aliases this key may use; `['*']` means all. */
  models: string[];
  /** The key's own limits and budget from the auth plugin, read by rate-limit and cost-log. */
  limits?: CallerLimits;
}

/** Per-key limits and budget, as configured on the key in the auth plugin. */
export interface CallerLimits {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens per minute (prompt estimate plus max_tokens at admission, corrected by real usage). */
  tpm?: number;
  /** Spend allowed per budget period, USD. */
  budgetUsd?: number;
  budgetPeriod?: 'daily' | 'monthly' | 'total';
}

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
}

/** The typed state of one request. Plugins read and write its fields; there is no untyped bag. */
export interface RequestContext {
  readonly id: string;
  readonly endpoint: Endpoint;
  /** Wall-clock start (ms since epoch) and a monotonic start for latency. */
  readonly startedAt: number;
  readonly startedMono: number;
  readonly headers: IncomingHttpHeaders;
  /** Aborted when the client disconnects; every upstream call listens to it. */
  readonly signal: AbortSignal;
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
  /** Whether the answer came from a cache (set by a cache plugin). */
  cache?: 'hit' | 'miss' | 'bypass';
  /** Cost of the request in USD; null when the price is unknown (set by a cost plugin). */
  costUsd?: number | null;
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
}

/** A loaded plugin instance: its hooks. Every hook is optional. */
export interface PluginHooks {
  /** Runs before the body is read; synchronous hooks keep the request within the event that brought its headers. */
  onHeaders?(ctx: RequestContext): void | Promise<void>;
  onRequest?(ctx: RequestContext): void | DirectAnswer | Promise<void | DirectAnswer>;
  beforeAttempt?(ctx: RequestContext, attempt: { alias: string; provider: string; model: string; body: ChatRequest | EmbeddingsRequest }): void | Promise<void>;
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
  handle(req: { headers: IncomingHttpHeaders; query: Record<string, string>; body: unknown }): Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;
}

/**
 * A plugin module. Export it as `module.exports = plugin` (or `export default`).
 *
 * @example
 * module.exports = {
 *   name: 'tag-user',
 *   optionsSchema: { type: 'object', properties: { tag: { type: 'string' } }, required: ['tag'] },
 *   create(options) {
 *     return { onRequest(ctx) { ctx.body.user = options.tag; } };
 *   },
 * };
 */
export interface PluginModule<Options = Record<string, unknown>> {
  name: string;
  /** JSON Schema for the options (the plugin's entry in proxy.yaml without `use`); validated with ajv at load. */
  optionsSchema?: Record<string, unknown>;
  create(options: Options, env: PluginEnv): PluginHooks | Promise<PluginHooks>;
}
