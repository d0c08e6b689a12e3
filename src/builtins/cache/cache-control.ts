/**
 * The request's Cache-Control directives the cache honours: `no-cache` skips the lookup, `no-store` skips storing.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface CacheDirectives {
  skipLookup: boolean;
  skipStore: boolean;
}

const NONE: CacheDirectives = Object.freeze({ skipLookup: false, skipStore: false });

/**
 * @example cacheDirectives({ 'cache-control': 'no-cache, no-store' }) // { skipLookup: true, skipStore: true }
 */
export function cacheDirectives(headers: IncomingHttpHeaders): CacheDirectives {
  const raw = headers['cache-control'];
  if (raw === undefined) return NONE; // most requests: nothing to parse
  const directives = new Set(
    String(Array.isArray(raw) ? raw.join(',') : (raw ?? ''))
      .toLowerCase()
      .split(',')
      .map((d) => d.trim()),
  );
  return { skipLookup: directives.has('no-cache'), skipStore: directives.has('no-store') };
}
