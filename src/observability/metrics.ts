/**
 * Prometheus metrics: one process-wide registry (it outlives config reloads) served at GET /metrics. Every
 * series is prefixed `switchyard_`, and labels only ever hold names from the config (alias, provider, model),
 * HTTP statuses or small fixed enums, never a string a client invented, so the series count stays bounded.
 *
 * Request metrics are recorded in one place, `recordRequest`, called by the request lifecycle; retries, hedges
 * and fallbacks are read from the request's attempt records there, so routing needs no metrics calls. Cooldown
 * state is read from the routing state when /metrics is scraped (`setCooldownStates`). Plugins register their
 * own series (cache results, cost, rate-limit waits) through `env.metrics` (pipeline/plugin-metrics.ts). The rest
 * is reported by the module that sees it, through these small functions:
 *   recordConfigReload(ok)                  gateway: a reload finished
 *   recordConnectionDropped()               gateway: a connection was refused by server.max_connections
 *   setUpstreamPoolState(provider, n, q)    upstream: requests holding a provider connection, and waiting for one
 *   recordUpstreamQueueWait(provider, s, r) upstream: how long a request waited for a connection, and how it ended
 *   recordUpstreamQueueRefusal(provider, r) upstream: a request refused by a full queue or a queue timeout
 *   setUpstreamBufferedBytes(bytes)         upstream: buffered answer bytes held across all attempts
 *   recordUpstreamAnswerRefused(provider, r) upstream: a buffered answer refused (too large, buffer full)
 *   recordDashboardLogin(result)            dashboard: a login accepted, refused (wrong key) or throttled
 * Each is cheap (a map lookup and an add) and never throws, so calling it on a hot path is fine.
 */
import client from 'prom-client';
import { callPrimary, isGatewayWorker } from '../cluster/ipc';
import { HotCounter, HotHistogram, type RegistrableMetric } from './hot-metrics';
import { overheadMs } from './overhead';
import { clientAbortOf } from '../pipeline/client-abort';
import type { RequestContext, RequestOutcome } from '../pipeline/types';

const PREFIX = 'switchyard_';

/** The registry /metrics serves. Separate from prom-client's global one so embedding apps keep theirs. */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: PREFIX });
// A worker answers the primary's metric collection (prom-client's own IPC) from this registry. Constructing an
// AggregatorRegistry is what installs prom-client's worker-side listener.
if (isGatewayWorker()) {
  new client.AggregatorRegistry();
  client.AggregatorRegistry.setRegistries([registry]);
}

// Seconds; from sub-millisecond gateway overhead up to multi-minute streams.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

/** Registers a per-request metric (hot-metrics.ts) in the registry /metrics serves. */
function hot<M extends RegistrableMetric>(metric: M): M {
  registry.registerMetric(metric as unknown as client.Metric);
  return metric;
}

// Updated on every request: hot metrics, labelled by endpoint, alias, provider, model (and status, kind…).
const requests = hot(
  new HotCounter(`${PREFIX}requests_total`, 'Requests through the model endpoints, by endpoint, alias, provider, upstream model and HTTP status.'),
);
const requestDuration = hot(
  new HotHistogram(`${PREFIX}request_duration_seconds`, 'Total time from receiving a request to its last byte (whole stream included).', LATENCY_BUCKETS),
);
const firstByte = hot(
  new HotHistogram(
    `${PREFIX}time_to_first_byte_seconds`,
    'Time from receiving a request until the first byte of the answer went to the client.',
    LATENCY_BUCKETS,
  ),
);
const upstreamDuration = hot(
  new HotHistogram(`${PREFIX}upstream_duration_seconds`, 'One upstream attempt: until the full answer (JSON) or the first chunk (streams).', LATENCY_BUCKETS),
);
const upstreamFirstByte = hot(
  new HotHistogram(
    `${PREFIX}upstream_time_to_first_byte_seconds`,
    "One upstream attempt: time until the provider's response headers arrived.",
    LATENCY_BUCKETS,
  ),
);
const overhead = hot(
  new HotHistogram(
    `${PREFIX}gateway_overhead_seconds`,
    'Time the gateway added: total (first byte, for streams) minus the time spent waiting on upstream attempts.',
    OVERHEAD_BUCKETS,
  ),
);
const tokens = hot(
  new HotCounter(`${PREFIX}tokens_total`, 'Tokens by kind: input (prompt), output (completion), cached (the part of input served from the provider cache).'),
);
const streams = hot(
  new HotCounter(
    `${PREFIX}streams_total`,
    'Streamed answers by how they ended: completed ([DONE]), failed (error event after the start) or aborted (client left).',
  ),
);
const retries = new client.Counter({
  name: `${PREFIX}retries_total`,
  help: 'Attempts repeated on the same target after a retryable failure.',
  labelNames: ['alias', 'provider'],
  registers: [registry],
});
const fallbacks = new client.Counter({
  name: `${PREFIX}fallbacks_total`,
  help: 'Requests that moved on from their alias to a fallback alias.',
  labelNames: ['alias', 'fallback'],
  registers: [registry],
});
const hedges = new client.Counter({
  name: `${PREFIX}hedges_total`,
  help: 'Hedge requests started because the first target was slow to answer.',
  labelNames: ['alias', 'provider'],
  registers: [registry],
});
const cooldown = new client.Gauge({
  name: `${PREFIX}provider_cooldown`,
  help: 'Per target (provider and upstream model; model "*" for the whole provider): 1 cooling down, 0.5 half-open (the next request probes), 0 in service.',
  labelNames: ['provider', 'model'],
  registers: [registry],
  // With workers, the scraping worker's own (fresh) values are shown instead of a sum over stale ones.
  aggregator: 'omit',
});
const reloads = new client.Counter({
  name: `${PREFIX}config_reloads_total`,
  help: 'Config reloads by result: success, or failure (the previous config kept serving).',
  labelNames: ['result'],
  registers: [registry],
});
/** Model requests in flight; a plain number, read into the gauge when /metrics is scraped. */
let inFlightNow = 0;
new client.Gauge({
  name: `${PREFIX}in_flight_requests`,
  help: 'Model requests being served right now.',
  registers: [registry],
  collect() {
    this.set(inFlightNow);
  },
});
const droppedConnections = new client.Counter({
  name: `${PREFIX}connections_dropped_total`,
  help: 'Client connections refused because server.max_connections was reached.',
  registers: [registry],
});

/** Per provider: requests holding a connection, and requests waiting for one; read into the gauges at scrape. */
const poolStates = new Map<string, { active: number; waiting: number }>();
new client.Gauge({
  name: `${PREFIX}upstream_pool_queue_depth`,
  help: "Requests waiting for a free connection of the provider's pool (bounded by max_queued).",
  labelNames: ['provider'],
  registers: [registry],
  collect() {
    this.reset();
    for (const [provider, s] of poolStates) this.set({ provider }, s.waiting);
  },
});
new client.Gauge({
  name: `${PREFIX}upstream_pool_in_use`,
  help: "Requests holding one of the provider's connections (at most max_connections).",
  labelNames: ['provider'],
  registers: [registry],
  collect() {
    this.reset();
    for (const [provider, s] of poolStates) this.set({ provider }, s.active);
  },
});
const poolWait = hot(
  new HotHistogram(
    `${PREFIX}upstream_pool_wait_seconds`,
    'Time a request waited for a provider connection, by provider and result (admitted, timed_out, cancelled); requests admitted at once are not counted.',
    [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  ),
);
const poolRefusals = new client.Counter({
  name: `${PREFIX}upstream_pool_refusals_total`,
  help: 'Requests a provider pool refused, by reason: queue_full (max_queued waiting already), queue_timeout (no connection within queue_timeout_ms).',
  labelNames: ['provider', 'reason'],
  registers: [registry],
});
/** Buffered answer bytes held now; a plain number, read into the gauge when /metrics is scraped. */
let bufferedBytesNow = 0;
new client.Gauge({
  name: `${PREFIX}upstream_buffered_bytes`,
  help: 'Bytes of buffered (JSON) upstream answers held in memory by all attempts (bounded by server.max_buffered_upstream_mb).',
  registers: [registry],
  collect() {
    this.set(bufferedBytesNow);
  },
});
const answersRefused = new client.Counter({
  name: `${PREFIX}upstream_answers_refused_total`,
  help: "Buffered upstream answers refused, by reason: answer_too_large (over the provider's max_answer_mb), buffer_full (server.max_buffered_upstream_mb reached).",
  labelNames: ['provider', 'reason'],
  registers: [registry],
});

const dashboardLogins = new client.Counter({
  name: `${PREFIX}dashboard_logins_total`,
  help: 'Dashboard logins by result: ok, refused (wrong key) or throttled (too many wrong keys from the address).',
  labelNames: ['result'],
  registers: [registry],
});

// Both result counters start at zero so a dashboard can rate() them before the first reload.
reloads.inc({ result: 'success' }, 0);
reloads.inc({ result: 'failure' }, 0);

/** What `recordRequest` needs to know beyond the context: which aliases are real (from the config snapshot). */
export interface RequestMetricsInput {
  ctx: RequestContext;
  outcome: RequestOutcome;
  /** Alias names of the snapshot the request ran under; anything else is labelled "unknown". */
  knownAliases: ReadonlySet<string> | ReadonlyMap<string, unknown>;
  /** performance.now() when the first byte went to the client, if it did. */
  firstByteMono?: number;
}

/**
 * The alias label: the alias the client asked for if the config has it (a fallback shows in provider and
 * model, and in switchyard_fallbacks_total), else the served one, else "unknown" (or "none" if none was named).
 *
 * @example aliasLabel(ctx, snapshot.aliases) // 'chat'
 */
export function aliasLabel(ctx: RequestContext, known: RequestMetricsInput['knownAliases']): string {
  if (known.has(ctx.requestedAlias)) return ctx.requestedAlias;
  if (ctx.servedBy) return ctx.servedBy.alias;
  return ctx.requestedAlias === '' ? 'none' : 'unknown';
}

function streamResult(ctx: RequestContext, outcome: RequestOutcome): 'completed' | 'failed' | 'aborted' {
  if (outcome.completed) return 'completed';
  return clientAbortOf(ctx).aborted ? 'aborted' : 'failed';
}

/**
 * Records everything one finished request tells: counts, latencies, tokens, fallbacks. Called once per request
 * by the lifecycle, after the plugins' onComplete.
 *
 * @example recordRequest({ ctx, outcome, knownAliases: snapshot.aliases, firstByteMono });
 */
export function recordRequest({ ctx, outcome, knownAliases, firstByteMono }: RequestMetricsInput): void {
  const alias = aliasLabel(ctx, knownAliases);
  const provider = ctx.servedBy?.provider ?? 'none';
  const model = ctx.servedBy?.model ?? 'none';
  const route = { endpoint: ctx.endpoint, alias, provider, model };
  const target = `${alias}\u0000${provider}\u0000${model}`;
  const routeKey = `${ctx.endpoint}\u0000${target}`;
  const status = String(outcome.status);
  requests.child(`${routeKey}\u0000${status}`, () => ({ ...route, status })).inc();
  requestDuration.child(routeKey, () => route).observe(outcome.latencyMs / 1000);

  for (const a of ctx.attempts) {
    if (a.skipped) continue;
    const attemptKey = `${a.alias}\u0000${a.provider}\u0000${a.model}`;
    // The HTTP status, or for an attempt that failed some other way its failure kind (a small fixed set).
    const attemptStatus = String(a.kind === undefined || a.kind === 'status' ? a.status : a.kind);
    upstreamDuration
      .child(`${attemptKey}\u0000${attemptStatus}`, () => ({ alias: a.alias, provider: a.provider, model: a.model, status: attemptStatus }))
      .observe(a.latencyMs / 1000);
    if (a.ttfbMs !== undefined) upstreamFirstByte.child(attemptKey, () => ({ alias: a.alias, provider: a.provider, model: a.model })).observe(a.ttfbMs / 1000);
  }
  const firstByteMs = firstByteMono !== undefined ? firstByteMono - ctx.startedMono : undefined;
  if (firstByteMs !== undefined) firstByte.child(routeKey, () => route).observe(firstByteMs / 1000);
  // A stream's attempt ends at its first chunk, so its overhead is measured up to the first byte; a JSON
  // answer's attempt covers the whole upstream call, so its overhead is measured to the end.
  const measuredUntil = ctx.stream ? firstByteMs : outcome.latencyMs;
  if (ctx.servedBy && measuredUntil !== undefined) overhead.child(routeKey, () => route).observe(overheadMs(ctx, measuredUntil) / 1000);

  if (ctx.attempts.length > 1) countRoutingSteps(ctx);

  const u = outcome.usage ?? ctx.usage;
  if (u && ctx.servedBy) {
    const tokensOf = (kind: string) => tokens.child(`${target}\u0000${kind}`, () => ({ alias, provider, model, kind }));
    if (u.prompt_tokens) tokensOf('input').inc(u.prompt_tokens);
    if (u.completion_tokens) tokensOf('output').inc(u.completion_tokens);
    const cached = u.prompt_tokens_details?.cached_tokens;
    if (cached) tokensOf('cached').inc(cached);
  }
  if (ctx.stream && ctx.servedBy) {
    const result = streamResult(ctx, outcome);
    streams.child(`${target}\u0000${result}`, () => ({ alias, provider, model, result })).inc();
  }
}

/**
 * Fallbacks (the alias changes between attempts), hedges (attempts flagged as such) and retries (a target
 * called again within the same request and alias, which only the retry wrapper does).
 */
function countRoutingSteps(ctx: RequestContext): void {
  const called = new Set<string>();
  ctx.attempts.forEach((a, i) => {
    if (i > 0 && ctx.attempts[i - 1].alias !== a.alias) fallbacks.inc({ alias: ctx.attempts[i - 1].alias, fallback: a.alias });
    if (a.skipped) return;
    if (a.hedge) hedges.inc({ alias: a.alias, provider: a.provider });
    const target = `${a.alias}\u0000${a.provider}\u0000${a.model}`;
    if (called.has(target) && !a.hedge) retries.inc({ alias: a.alias, provider: a.provider });
    called.add(target);
  });
}

/** @example const done = trackInFlight(); try { … } finally { done(); } */
export function trackInFlight(): () => void {
  inFlightNow++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    inFlightNow--;
  };
}

/** One target's breaker state, as the routing state describes it. */
export interface CooldownState {
  provider: string;
  /** The upstream model, or "*" when the whole provider is cooling down. */
  model: string;
  state: 'cooling_down' | 'half_open' | 'in_service';
}

/**
 * Replaces the cooldown gauge with the current states (called at scrape time, so it is never stale and targets
 * removed by a reload disappear).
 *
 * @example setCooldownStates([{ provider: 'deepseek', model: 'deepseek-chat', state: 'cooling_down' }])
 */
export function setCooldownStates(states: Iterable<CooldownState>): void {
  cooldown.reset();
  for (const s of states) cooldown.set({ provider: s.provider, model: s.model }, s.state === 'cooling_down' ? 1 : s.state === 'half_open' ? 0.5 : 0);
}

/** @example recordConfigReload(false) */
export function recordConfigReload(ok: boolean): void {
  reloads.inc({ result: ok ? 'success' : 'failure' });
}

/** @example server.on('drop', () => recordConnectionDropped()) */
export function recordConnectionDropped(): void {
  droppedConnections.inc();
}

/**
 * The Prometheus text exposition of every series.
 *
 * @example res.end(await metricsText())
 */
export async function metricsText(): Promise<string> {
  if (!isGatewayWorker()) return registry.metrics();
  // With --workers the primary sums every worker's series (cluster/primary.ts). Cooldowns are shared by all
  // workers, and this one has just refreshed its gauge, so its own values are the ones to show.
  const [all, own] = await Promise.all([callPrimary('metrics', []) as Promise<string>, registry.getSingleMetricAsString(`${PREFIX}provider_cooldown`)]);
  return `${all.trimEnd()}\n${own}\n`;
}

/** The content type of `metricsText()`. */
export const METRICS_CONTENT_TYPE = registry.contentType;

/** @example setUpstreamPoolState('openai', admission.active, admission.waiting) */
export function setUpstreamPoolState(provider: string, active: number, waiting: number): void {
  const s = poolStates.get(provider);
  if (s) {
    s.active = active;
    s.waiting = waiting;
  } else poolStates.set(provider, { active, waiting });
}

/** @example recordUpstreamQueueWait('openai', waitedMs / 1000, 'admitted') */
export function recordUpstreamQueueWait(provider: string, seconds: number, result: 'admitted' | 'timed_out' | 'cancelled'): void {
  poolWait.child(`${provider}\u0000${result}`, () => ({ provider, result })).observe(seconds);
}

/** @example recordUpstreamQueueRefusal('openai', 'queue_full') */
export function recordUpstreamQueueRefusal(provider: string, reason: 'queue_full' | 'queue_timeout'): void {
  poolRefusals.inc({ provider, reason });
}

/** @example setUpstreamBufferedBytes(budget.heldBytes) */
export function setUpstreamBufferedBytes(bytes: number): void {
  bufferedBytesNow = bytes;
}

/** @example recordUpstreamAnswerRefused('openai', 'answer_too_large') */
export function recordUpstreamAnswerRefused(provider: string, reason: 'answer_too_large' | 'buffer_full'): void {
  answersRefused.inc({ provider, reason });
}

/** @example recordDashboardLogin('throttled') */
export function recordDashboardLogin(result: 'ok' | 'refused' | 'throttled'): void {
  dashboardLogins.inc({ result });
}
