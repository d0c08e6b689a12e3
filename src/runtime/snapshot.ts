/**
 * Compiles a validated config into an immutable runtime snapshot: providers with their adapters and transports,
 * aliases with their targets, and the loaded plugin pipeline. A request holds on to the snapshot it started
 * with; a reload builds a new one and swaps a single reference (see gateway.ts).
 *
 * Why here, above config/: building a snapshot wires every layer together (plugins, routing state, adapters,
 * transports), so it sits above all of them; its shape is in routing/snapshot-types.ts, which the layers it feeds read.
 */
import path from 'node:path';
import type { LoadedConfig } from '../config/load';
import { ConfigError } from '../config/problems';
import type { StateRegistry } from './state-registry';
import type { ProviderConfig } from '../config/types';
import type { FeedbackConfig } from '../config/routing-schema';
import { FeedbackService } from '../feedback/feedback-service';
import { openFeedbackStore } from '../feedback/open-feedback-store';
import { Tracing } from '../observability/tracing';
import { shareHealthCheck } from '../cluster/health-sync';
import { shareRoutingState } from '../cluster/routing-sync';
import { shareHeadroom, shareProvidersPage } from '../cluster/dashboard-sync';
import type { Logger } from '../observability/logger';
import { registerSecrets } from '../observability/redact';
import { loadPlugins, PluginLoadError, type LoadedPlugin } from '../pipeline/load-plugins';
import { Pipeline } from '../pipeline/pipeline';
import { adapters } from '../providers/registry';
import { keepResponseStore } from '../responses/store/runtime-store';
import { resolveAlias } from '../routing/resolve-alias';
import { keepRequestLog } from '../stores/request-log/open-request-log';
import { HealthChecker, healthCheckKey } from '../routing/health-checks';
import { HeadroomBook } from '../routing/headroom-book';
import { RoutingState } from '../routing/routing-state';
import { isWildcardKey, WildcardAliases } from '../routing/wildcard-aliases';
import type { ResolvedAlias, ResolvedProvider, RuntimeSnapshot } from '../routing/snapshot-types';
import type { ProviderSettings } from '../providers/types';
import { HttpTransport, ProviderPool } from '../upstream/http-transport';
import { MockTransport } from '../upstream/mock-transport';
import { SigningTransport } from '../upstream/signing-transport';
import type { Transport } from '../upstream/transport';

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECTIONS = 128;
const DEFAULT_MAX_QUEUED = 1024;
const DEFAULT_QUEUE_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_ANSWER_MB = 64;
const DEFAULT_MAX_BUFFERED_MB = 256; // the schema's default, for configs built without it (tests)
const MIB = 1 << 20;

function resolveProvider(name: string, cfg: ProviderConfig, loaded: LoadedConfig, state: StateRegistry): ResolvedProvider {
  const adapter = adapters[cfg.api];
  const {
    api,
    base_url,
    api_key,
    headers,
    drop_params,
    timeout_ms,
    connect_timeout_ms,
    first_byte_timeout_ms,
    max_connections,
    max_queued,
    queue_timeout_ms,
    max_answer_mb,
    mock,
    price: _price, // the price lookup's, not the adapter's (see resolveAlias)
    ...options
  } = cfg;
  const settings: ProviderSettings = {
    name,
    api,
    baseUrl: (base_url ?? adapter.baseUrlFor?.(options, process.env) ?? adapter.defaultBaseUrl ?? `mock://${name}`).replace(/\/+$/, ''),
    apiKey: api_key ?? '',
    headers: headers ?? {},
    dropParams: drop_params ?? [],
    options,
  };
  const missingEnv =
    api_key !== undefined && api_key === ''
      ? loaded.missing.filter((m) => m.path[0] === 'providers' && m.path[1] === name && m.path[2] === 'api_key').map((m) => m.variable)
      : [];
  const connectMs = connect_timeout_ms ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const connections = max_connections ?? DEFAULT_CONNECTIONS;
  let transport: Transport;
  if (api === 'mock') {
    // Mock settings are cheap and stateless: a fresh transport per snapshot picks up edits at once.
    transport = new MockTransport(mock ?? {});
  } else {
    const origin = new URL(settings.baseUrl).origin;
    const pool = state.keep(
      `pool:${name}|${origin}|${connections}|${connectMs}`,
      () => new ProviderPool(name, origin, { connections, connectTimeoutMs: connectMs }),
      (p) => p.close(),
    );
    transport = new HttpTransport(pool, {
      maxQueued: max_queued ?? DEFAULT_MAX_QUEUED,
      queueTimeoutMs: queue_timeout_ms ?? DEFAULT_QUEUE_TIMEOUT_MS,
      maxAnswerBytes: (max_answer_mb ?? DEFAULT_MAX_ANSWER_MB) * MIB,
      maxBufferedBytes: (loaded.config.server?.max_buffered_upstream_mb ?? DEFAULT_MAX_BUFFERED_MB) * MIB,
    });
    // Providers that authenticate per request (SigV4, OAuth tokens) sign each one just before it is sent.
    const signer = adapter.createSigner?.(settings, { env: process.env, now: Date.now });
    if (signer) transport = new SigningTransport(transport, signer);
  }
  return {
    name,
    config: cfg,
    settings,
    adapter,
    transport,
    available: api_key === undefined || api_key !== '',
    missingEnv: api_key === '' && missingEnv.length === 0 ? ['(api_key is empty)'] : missingEnv,
    timeouts: { totalMs: timeout_ms ?? DEFAULT_TIMEOUT_MS, firstByteMs: first_byte_timeout_ms, connectMs },
    ...(api === 'mock' ? {} : { rateLimits: state.keep(`rate-limits:${name}`, () => shareHeadroom(name, new HeadroomBook())) }),
  };
}

/** The feedback service of these settings, kept across reloads (its book and store live on). */
function keepFeedback(cfg: FeedbackConfig, configDir: string, state: StateRegistry, log: Logger): FeedbackService {
  const servedTtlMs = cfg.rateable_h * 3_600_000;
  return state.keep(
    `feedback:${cfg.store}|${cfg.half_life_h}|${cfg.rateable_h}|${cfg.refresh_s}|${configDir}`,
    () =>
      new FeedbackService(
        openFeedbackStore(cfg.store, configDir, log, servedTtlMs),
        { halfLifeMs: cfg.half_life_h * 3_600_000, servedTtlMs, refreshMs: cfg.refresh_s * 1000 },
        log,
      ),
    (f) => f.close(),
  );
}

/**
 * Builds a snapshot. Throws ConfigError (with positions) when a plugin cannot load.
 *
 * @example const snap = await buildSnapshot(loadConfigFile('proxy.yaml'), state, log);
 */
export async function buildSnapshot(loaded: LoadedConfig, state: StateRegistry, log: Logger): Promise<RuntimeSnapshot> {
  const { config } = loaded;
  const configDir = path.dirname(loaded.file);
  const providers = new Map<string, ResolvedProvider>();
  for (const [name, cfg] of Object.entries(config.providers)) {
    const p = resolveProvider(name, cfg, loaded, state);
    providers.set(name, p);
    if (p.settings.apiKey) registerSecrets([p.settings.apiKey]);
  }
  const routing = state.keep('routing:state', () => shareRoutingState(new RoutingState()));
  shareProvidersPage();
  for (const p of providers.values()) {
    const cfg = p.config.health_check;
    if (!cfg) continue;
    const checker = state.keep(
      healthCheckKey(p, cfg),
      () => shareHealthCheck(new HealthChecker(p, cfg, routing.cooldowns), healthCheckKey(p, cfg)),
      (c) => c.stop(),
    );
    checker.use(p);
    checker.start();
    p.healthCheck = checker;
  }
  const aliases = new Map<string, ResolvedAlias>();
  for (const [name, cfg] of Object.entries(config.models)) if (!isWildcardKey(name)) aliases.set(name, resolveAlias(name, cfg, config));
  const wildcards = new WildcardAliases(config);

  let plugins: LoadedPlugin[];
  try {
    plugins = await loadPlugins(config.plugins, { configDir, log, keep: state.keep.bind(state), config });
  } catch (err) {
    if (err instanceof PluginLoadError) throw new ConfigError(loaded.file, [{ path: err.path, message: err.message, ...loaded.locate(err.path) }]);
    throw err;
  }
  return {
    file: loaded.file,
    configDir,
    hash: loaded.hash,
    loadedAt: new Date(),
    config,
    providers,
    aliases,
    ...(wildcards.patterns.length > 0 ? { wildcards } : {}),
    pipeline: new Pipeline(plugins, { hookTimeoutMs: config.server.plugin_hook_timeout_ms }),
    routing,
    feedback: config.feedback ? keepFeedback(config.feedback, configDir, state, log) : undefined,
    tracing: config.tracing?.enabled
      ? state.keep(
          `tracing:${JSON.stringify(config.tracing)}`,
          () => new Tracing(config.tracing!),
          (t) => t.close(),
        )
      : undefined,
    watchedFiles: [loaded.file, ...plugins.map((p) => p.file).filter((f): f is string => !!f)],
    responseStore: openResponseStore(loaded, configDir, state, log),
    requestLog: openRequestLog(loaded, configDir, state, log),
  };
}

/**
 * The request log when the dashboard is on, or recording for replay with its pages off (`record: true`), kept
 * across reloads; a store URL that cannot be opened rejects the config.
 */
function openRequestLog(loaded: LoadedConfig, configDir: string, state: StateRegistry, log: Logger): RuntimeSnapshot['requestLog'] {
  const settings = loaded.config.server.dashboard;
  if (!settings?.enabled && settings?.record !== true) return undefined;
  try {
    return keepRequestLog(settings, configDir, state.keep.bind(state), log);
  } catch (err) {
    const where = ['server', 'dashboard', 'store'];
    throw new ConfigError(loaded.file, [{ path: where, message: (err as Error).message, ...loaded.locate(where) }]);
  }
}

/** The `responses:` store, kept across reloads; a store URL that cannot be opened rejects the config at its position. */
function openResponseStore(loaded: LoadedConfig, configDir: string, state: StateRegistry, log: Logger): RuntimeSnapshot['responseStore'] {
  try {
    return keepResponseStore(loaded.config, configDir, state.keep.bind(state), log);
  } catch (err) {
    const where = ['responses', 'store'];
    throw new ConfigError(loaded.file, [{ path: where, message: (err as Error).message, ...loaded.locate(where) }]);
  }
}
