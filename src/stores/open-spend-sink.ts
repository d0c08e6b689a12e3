/**
 * Opens the spend sink named by the cost-log `sink:` option: sqlite://PATH, postgres://…, jsonl://PATH.
 * Relative paths are resolved against the config file's directory.
 */
import path from 'node:path';
import { JsonlSpendSink } from './jsonl-spend-sink';
import { PostgresSpendSink } from './postgres-spend-sink';
import type { SpendSink } from './spend-sink';
import { SqliteSpendSink } from './sqlite-spend-sink';

/**
 * @example openSpendSink('sqlite://./data/spend.db', '/etc/switchyard') // SQLite at /etc/switchyard/data/spend.db
 * @example openSpendSink('postgres://postgres@db/switchyard?table=spend', dir)
 * @example openSpendSink('sqlite://./spend.db?busy_timeout_ms=30000', dir)
 */
export function openSpendSink(url: string, configDir: string): SpendSink {
  const resolve = (p: string) => (p === ':memory:' ? p : path.resolve(configDir, p));
  if (url.startsWith('sqlite://')) {
    // `?busy_timeout_ms=N`: how long a write waits for another process's lock (in the worker, never the event loop).
    const [file, query] = url.slice('sqlite://'.length).split('?', 2);
    const busy = new URLSearchParams(query ?? '').get('busy_timeout_ms');
    if (busy !== null && !/^\d+$/.test(busy)) throw new Error('busy_timeout_ms must be a whole number of milliseconds');
    return new SqliteSpendSink(resolve(file), { busyTimeoutMs: busy === null ? undefined : Number(busy) });
  }
  if (url.startsWith('jsonl://')) return new JsonlSpendSink(resolve(url.slice('jsonl://'.length)));
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const parsed = new URL(url);
    // `table` is ours, not a libpq parameter: take it out before pg sees the URL.
    const table = parsed.searchParams.get('table') ?? undefined;
    parsed.searchParams.delete('table');
    return new PostgresSpendSink(parsed.toString(), table);
  }
  throw new Error('sink must be sqlite://PATH, postgres://… or jsonl://PATH');
}

/** A sink URL fit for log lines (no password). @example describeSinkUrl('postgres://u:pw@db/x') // 'postgres://db/x' */
export function describeSinkUrl(url: string): string {
  if (!/^postgres(ql)?:\/\//.test(url)) return url;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
