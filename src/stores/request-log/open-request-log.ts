/**
 * Opens the request log named by `server.dashboard.store`: memory, sqlite://PATH (relative to the config file;
 * the default is switchyard-requests.db beside it) or postgres://… (?table=PREFIX), and keeps it, with its
 * retention purge, across config reloads that leave the store alone. runtime/snapshot.ts calls keepRequestLog.
 */
import path from 'node:path';
import type { Logger } from '../../observability/logger';
import { describeSinkUrl } from '../open-spend-sink';
import { parseStoreLocation } from '../store-url';
import { BufferedRequestLog } from './buffered-request-log';
import { MemoryRequestLog } from './memory-request-log';
import { PostgresRequestEngine } from './postgres-request-log';
import type { RequestLog } from './request-record';
import { SqliteRequestEngine } from './sqlite-request-log';

export const DEFAULT_REQUEST_STORE = 'sqlite://./switchyard-requests.db';
export const DEFAULT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** The first purge after start, once the gateway is serving, then hourly. */
const FIRST_PURGE_DELAY_MS = 10_000;

/** The settings this module reads from `server.dashboard` (validated by config/schema.ts). */
export interface RequestLogSettings {
  store?: string;
  retention_days?: number;
  /** Records the memory store keeps. */
  recent_requests?: number;
}

/**
 * @example openRequestLog('sqlite://./switchyard-requests.db', '/etc/switchyard', log) // SQLite at /etc/switchyard/switchyard-requests.db
 * @example openRequestLog('postgres://postgres@db/switchyard?table=requests', dir, log)
 * @example openRequestLog('memory', dir, log, { capacity: 2000 })
 */
export function openRequestLog(url: string, configDir: string, log: Logger, options: { capacity?: number } = {}): RequestLog {
  const where = describeRequestStore(url);
  if (url.startsWith('sqlite://')) {
    // `?busy_timeout_ms=N`, as the spend sink: how long a write waits for another process's lock (in the worker).
    const [file, query] = url.slice('sqlite://'.length).split('?', 2);
    const busy = new URLSearchParams(query ?? '').get('busy_timeout_ms');
    if (busy !== null && !/^\d+$/.test(busy)) throw new Error('busy_timeout_ms must be a whole number of milliseconds');
    const engine = new SqliteRequestEngine(file === ':memory:' ? file : path.resolve(configDir, file), {
      busyTimeoutMs: busy === null ? undefined : Number(busy),
    });
    return new BufferedRequestLog(engine, { log, where });
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const parsed = new URL(url);
    // `table` is ours, not a libpq parameter: take it out before pg sees the URL.
    const table = parsed.searchParams.get('table') ?? undefined;
    parsed.searchParams.delete('table');
    return new BufferedRequestLog(new PostgresRequestEngine(parsed.toString(), table), { log, where });
  }
  let location;
  try {
    location = parseStoreLocation(url);
  } catch {
    location = undefined;
  }
  if (location?.kind !== 'memory') throw new Error(`server.dashboard.store must be memory, sqlite://PATH or postgres://…, got "${where}"`);
  return new MemoryRequestLog(options.capacity ?? 2000);
}

/** The store URL fit for log lines (no password). @example describeRequestStore('postgres://u:pw@db/x') // 'postgres://db/x' */
export function describeRequestStore(url: string): string {
  return /^postgres(ql)?:\/\//.test(url) ? describeSinkUrl(url) : url;
}

/** The state registry's `keep` (runtime/state-registry.ts), passed in: stores may not import runtime/. */
export type KeepState = <T>(key: string, create: () => T, dispose?: (value: T) => void | Promise<void>) => T;

/**
 * The request log of a config's dashboard settings, kept across reloads by store URL (a reload that leaves the
 * store alone keeps its connections and buffer); its retention purge is kept by URL and retention. Throws (the
 * config is rejected) when the URL cannot be opened; a store that fails later is logged and counted, not thrown.
 *
 * @example const requestLog = keepRequestLog(config.server.dashboard, configDir, state.keep.bind(state), log);
 */
export function keepRequestLog(settings: RequestLogSettings, configDir: string, keep: KeepState, log: Logger): RequestLog {
  const url = settings.store ?? DEFAULT_REQUEST_STORE;
  // The memory ring's size is part of its identity: a reload that changes recent_requests starts a new ring.
  const key = `request-log|${url}|${configDir}${url === 'memory' ? `|${settings.recent_requests ?? 2000}` : ''}`;
  const requestLog = keep<RequestLog>(
    key,
    () => openRequestLog(url, configDir, log, { capacity: settings.recent_requests }),
    (l) => l.close(),
  );
  const retentionMs = (settings.retention_days ?? DEFAULT_RETENTION_DAYS) * DAY_MS;
  keep(
    `${key}|purge|${retentionMs}`,
    () => startPurging(requestLog, retentionMs, describeRequestStore(url), log),
    (stop) => stop(),
  );
  return requestLog;
}

/**
 * Deletes records older than the retention now and then hourly; returns the function that stops it. The cutoff
 * is a whole hour, so the minute and hour rollups lose exactly the hours whose records went. Timers are unref'd.
 *
 * @example const stop = startPurging(requestLog, 30 * 86_400_000, 'sqlite://…', log, Date.now);
 */
export function startPurging(requestLog: RequestLog, retentionMs: number, where: string, log: Logger, now: () => number = Date.now): () => void {
  let running = false;
  const purge = () => {
    if (running) return;
    running = true;
    requestLog
      .purge(purgeCutoff(now(), retentionMs))
      .then(
        (n) => {
          if (n > 0) log.info('dashboard request log: old requests deleted', { store: where, deleted: n });
        },
        (err: unknown) => log.warn('dashboard request log: deleting old requests failed; will retry', { store: where, error: (err as Error).message }),
      )
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(purge, FIRST_PURGE_DELAY_MS);
  const every = setInterval(purge, HOUR_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}

/** The start of the hour a retention reaches back to. @example purgeCutoff(Date.now(), 30 * 86_400_000) */
export function purgeCutoff(now: number, retentionMs: number): number {
  return Math.floor((now - retentionMs) / HOUR_MS) * HOUR_MS;
}
