/**
 * Parses the `store:` option shared by the rate-limit and cache plugins: `memory` or a `redis://` URL.
 */

/** Where shared plugin state lives. */
export type StoreLocation = { kind: 'memory' } | { kind: 'redis'; url: string };

/**
 * @example parseStoreLocation('redis://127.0.0.1:6379') // { kind: 'redis', url: 'redis://127.0.0.1:6379' }
 */
export function parseStoreLocation(value: string | undefined): StoreLocation {
  if (value === undefined || value === 'memory') return { kind: 'memory' };
  if (/^rediss?:\/\//.test(value)) return { kind: 'redis', url: value };
  throw new Error(`store must be "memory" or a redis:// URL, got "${value.split('@').pop()}"`);
}
