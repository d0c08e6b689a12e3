/**
 * Opens ioredis connections tuned for a gateway: commands fail fast while Redis is away (no offline queue, a short
 * command timeout) so callers fall back to local state instead of holding requests, and reconnection goes on
 * in the background for as long as the process runs.
 */
import Redis from 'ioredis';
import type { Logger } from '../observability/logger';

export interface RedisClientOptions {
  /** Names the user of the connection in log lines, e.g. "rate-limit". */
  purpose: string;
  log: Logger;
  /** Per-command timeout, ms. */
  commandTimeoutMs?: number;
}

/** Hides credentials of a Redis URL for log lines. @example safeRedisUrl('redis://:pw@host:6379') // 'redis://host:6379' */
export function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'redis://(unparseable URL)';
  }
}

/**
 * A Redis connection that logs each outage once and each recovery once.
 *
 * @example
 * const redis = openRedis('redis://127.0.0.1:6379', { purpose: 'cache', log });
 * if (isRedisReady(redis)) await redis.get('k');
 */
export function openRedis(url: string, options: RedisClientOptions): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: 1000,
    // Keep trying forever, at most every two seconds: Redis coming back must be noticed without a restart.
    retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
    lazyConnect: false,
  });
  let down = false;
  const where = safeRedisUrl(url);
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    options.log.warn(`${options.purpose}: Redis at ${where} is unreachable; using local state until it returns`, { error: err.message });
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    options.log.info(`${options.purpose}: Redis at ${where} is back; shared state resumed`);
  });
  return client;
}

/** True when commands can be sent now (not connecting, not reconnecting). @example if (!isRedisReady(client)) return local.take(specs); */
export function isRedisReady(client: Redis): boolean {
  return client.status === 'ready';
}

/**
 * Resolves once the connection is ready, or rejects after `timeoutMs`. Startup code uses it to begin with shared
 * state instead of the local fallback.
 *
 * @example await waitForRedis(client, 2000).catch(() => log.warn('starting with local limits'));
 */
export function waitForRedis(client: Redis, timeoutMs: number): Promise<void> {
  if (isRedisReady(client)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
