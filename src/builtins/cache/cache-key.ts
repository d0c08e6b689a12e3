/**
 * The cache key of a chat request: a SHA-256 of its normalised form (alias, messages, tools and every parameter
 * that changes the answer), scoped to the caller's key unless the cache is shared. Fields that only change how
 * the answer is delivered or tracked (stream, stream_options, user, store, metadata) are left out, so a
 * streamed and a non-streamed request share an entry.
 */
import { createHash } from 'node:crypto';

const DELIVERY_ONLY_FIELDS = new Set(['stream', 'stream_options', 'user', 'store', 'metadata']);

/** JSON with object keys sorted at every level, so `{a, b}` and `{b, a}` hash alike. @example canonicalJson({ b: 1, a: [2] }) // '{"a":[2],"b":1}' */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * @example cacheKey({ endpoint: 'chat', scope: 'team-a', body: { model: 'chat', messages, temperature: 0 } }) // '3f2a…'
 */
export function cacheKey(input: { endpoint: string; scope: string; body: Readonly<Record<string, unknown>> }): string {
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input.body)) if (!DELIVERY_ONLY_FIELDS.has(k)) body[k] = v;
  return createHash('sha256').update(canonicalJson({ v: 1, endpoint: input.endpoint, scope: input.scope, body })).digest('hex');
}
