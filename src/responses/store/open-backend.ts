/**
 * Opens the engine named by `responses.store`: memory, sqlite://PATH, postgres://…, redis://…. Relative SQLite
 * paths are resolved against the config file's directory, as the spend sink's are.
 */
import path from 'node:path';
import type { Logger } from '../../observability/logger';
import { describeSinkUrl } from '../../stores/open-spend-sink';
import { safeRedisUrl } from '../../stores/redis-client';
import { parseStoreLocation } from '../../stores/store-url';
import type { ResponseBackend } from './backend';
import { MemoryResponseBackend } from './memory-backend';
import { PostgresResponseBackend } from './postgres-backend';
import { RedisResponseBackend } from './redis-backend';
import { SqliteResponseBackend } from './sqlite-backend';

/**
 * @example openResponseBackend('sqlite://./data/responses.db', '/etc/switchyard', log) // SQLite at /etc/switchyard/data/responses.db
 * @example openResponseBackend('postgres://postgres@db/switchyard?table=responses', dir, log)
 */
export function openResponseBackend(url: string, configDir: string, log: Logger): ResponseBackend {
  if (url.startsWith('sqlite://')) {
    const file = url.slice('sqlite://'.length);
    return new SqliteResponseBackend(file === ':memory:' ? file : path.resolve(configDir, file));
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const parsed = new URL(url);
    // `table` is ours, not a libpq parameter: take it out before pg sees the URL.
    const table = parsed.searchParams.get('table') ?? undefined;
    parsed.searchParams.delete('table');
    return new PostgresResponseBackend(parsed.toString(), table);
  }
  let location;
  try {
    location = parseStoreLocation(url.replace(/\?.*$/, ''));
  } catch {
    throw new Error(`responses.store must be memory, sqlite://PATH, postgres://… or redis://…, got "${describeResponseStore(url)}"`);
  }
  if (location.kind === 'memory') return new MemoryResponseBackend();
  const parsed = new URL(url);
  const prefix = parsed.searchParams.get('prefix') ?? undefined;
  parsed.searchParams.delete('prefix');
  return new RedisResponseBackend(parsed.toString(), log, prefix);
}

/** The store URL fit for log lines (no password). @example describeResponseStore('redis://:pw@host:6379') // 'redis://host:6379' */
export function describeResponseStore(url: string): string {
  if (/^rediss?:\/\//.test(url)) return safeRedisUrl(url);
  if (/^postgres(ql)?:\/\//.test(url)) return describeSinkUrl(url);
  return url.split('@').pop() ?? url;
}
