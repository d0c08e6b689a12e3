/**
 * The response store of a runtime snapshot, kept across config reloads: the engine (and its connections) is kept
 * by its URL, so a reload that leaves `responses.store` alone keeps every stored response and connection; the
 * hourly retention purge is kept by URL and retention, so a changed `retention_days` restarts it with the new value.
 * runtime/snapshot.ts calls it while building a snapshot.
 */
import type { Logger } from '../../observability/logger';
import { describeResponseStore, openResponseBackend } from './open-backend';
import { DAY_MS, RetainedResponseStore } from './retained-store';
import { responsesConfigOf } from './config';
import type { ResponseBackend } from './backend';

/** How often expired responses are purged (reads already hide them). */
export const PURGE_INTERVAL_MS = 3_600_000;
/** The first purge after start, once the gateway is serving. */
const FIRST_PURGE_DELAY_MS = 10_000;

/** The state registry's `keep` (runtime/state-registry.ts), passed in: this layer may not import runtime/. */
export type KeepState = <T>(key: string, create: () => T, dispose?: (value: T) => void | Promise<void>) => T;

/**
 * The snapshot's store, or undefined when `responses.enabled` is false. Throws (the config is rejected) when
 * the store URL cannot be opened.
 *
 * @example const responseStore = keepResponseStore(config, configDir, state.keep.bind(state), log);
 */
export function keepResponseStore(
  config: Readonly<Record<string, unknown>>,
  configDir: string,
  keep: KeepState,
  log: Logger,
): RetainedResponseStore | undefined {
  const settings = responsesConfigOf(config);
  if (!settings.enabled) return undefined;
  const backendKey = `responses:backend|${settings.store}|${configDir}`;
  const backend = keep<ResponseBackend>(
    backendKey,
    () => openResponseBackend(settings.store, configDir, log),
    (b) => b.close(),
  );
  const store = new RetainedResponseStore(backend, { retentionMs: settings.retention_days * DAY_MS, log });
  keep(
    `responses:purge|${backendKey}|${store.retentionMs}`,
    () => startPurging(store, describeResponseStore(settings.store), log),
    (stop) => stop(),
  );
  return store;
}

/** Purges now and then hourly; returns the function that stops it. Timers are unref'd: they never keep the process up. */
function startPurging(store: RetainedResponseStore, where: string, log: Logger): () => void {
  let running = false;
  const purge = () => {
    if (running) return;
    running = true;
    store
      .purgeExpired()
      .then(
        (n) => {
          if (n > 0) log.info('response store: expired responses purged', { store: where, purged: n });
        },
        () => {}, // already logged by the store; the next round tries again
      )
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(purge, FIRST_PURGE_DELAY_MS);
  const every = setInterval(purge, PURGE_INTERVAL_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
