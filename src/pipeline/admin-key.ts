/**
 * Checking the admin key on a request. Both sides are hashed to a fixed length and compared with
 * timingSafeEqual, so neither the key's content nor its length leaks through response timing. In the pipeline
 * because plugins get the check through their env (`env.isAdmin`), and /metrics uses it too.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { errors } from '../errors';
import type { PluginEnv } from './types';

/** The key a request presents: `Authorization: Bearer <key>`, else `x-api-key`. @example presentedKey(ctx.headers) // 'sk-…' or undefined */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1].trim();
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

/**
 * Constant-time equality of two secrets of any length.
 *
 * @example secretsEqual(presented, configured) // true only for an exact match
 */
export function secretsEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  // Hashes have equal length, so timingSafeEqual never throws; the extra check rules out an empty configured key.
  return timingSafeEqual(a, b) && expected.length > 0;
}

/**
 * True when the request carries the admin key.
 *
 * @example if (!adminKeyMatches(req.headers, adminKey)) throw unauthorized();
 */
export function adminKeyMatches(headers: IncomingHttpHeaders, adminKey: string): boolean {
  const presented = presentedKey(headers);
  return presented !== undefined && secretsEqual(presented, adminKey);
}

/**
 * The admin key of a config: the `admin_key` option of the first plugin entry that has one (the auth plugin's),
 * which guards /admin/* and, when configured so, /metrics.
 *
 * @example adminKeyOf(snapshot.config) // 'a-long-random-string' or undefined
 */
export function adminKeyOf(config: Readonly<Record<string, unknown>>): string | undefined {
  const plugins = config.plugins;
  if (!Array.isArray(plugins)) return undefined;
  const entry: unknown = plugins.find((p: unknown) => typeof p === 'object' && p !== null && 'admin_key' in p);
  const key = entry ? (entry as { admin_key?: unknown }).admin_key : undefined;
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/**
 * A plugin env's admin-key checks (`env.isAdmin`, `env.requireAdmin`) for a config.
 *
 * @example const { isAdmin, requireAdmin } = adminChecks(snapshot.config);
 */
export function adminChecks(config: Readonly<Record<string, unknown>>): Pick<PluginEnv, 'isAdmin' | 'requireAdmin'> {
  const adminKey = adminKeyOf(config);
  return {
    isAdmin: (headers) => adminKey !== undefined && adminKeyMatches(headers, adminKey),
    requireAdmin(headers, route) {
      if (adminKey === undefined) throw errors.adminDisabled();
      if (!adminKeyMatches(headers, adminKey)) throw errors.adminKeyRequired(route);
    },
  };
}
