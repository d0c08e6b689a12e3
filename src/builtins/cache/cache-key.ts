/**
 * The cache key of a chat request: a SHA-256 of its normalised form (alias, messages, tools and every parameter
 * that changes the answer), scoped to the caller's key unless the cache is shared. Fields that only change how
 * the answer is delivered or tracked (stream, stream_options, user, store, metadata) are left out, so a
 * streamed and a non-streamed request share an entry.
 */
import { hash } from 'node:crypto';

const DELIVERY_ONLY_FIELDS = new Set(['stream', 'stream_options', 'user', 'store', 'metadata']);

/**
 * An object's keys in code-unit order. Insertion sort in place for small objects: request objects have a
 * handful of keys, and Array#sort allocates scratch space on every call.
 */
function sortedKeys(obj: Record<string, unknown>): string[] {
  const keys = Object.keys(obj);
  if (keys.length > 16) return keys.sort(); // quadratic past a handful; a big object is rare anyway
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > k; j--) keys[j + 1] = keys[j];
    keys[j + 1] = k;
  }
  return keys;
}

/**
 * Appends the canonical JSON of `value` to `out`. One pass with one growing string: this runs on every cached
 * request over the whole conversation, and the map/filter/join version allocated an array per object.
 */
function appendCanonical(value: unknown, out: string, skip?: ReadonlySet<string>): string {
  if (Array.isArray(value)) {
    out += '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out = appendCanonical(value[i], out);
    }
    return out + ']';
  }
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = sortedKeys(obj);
    out += '{';
    let first = true;
    for (const k of keys) {
      const v = obj[k];
      if (v === undefined || skip?.has(k)) continue;
      out += first ? JSON.stringify(k) + ':' : ',' + JSON.stringify(k) + ':';
      first = false;
      out = appendCanonical(v, out);
    }
    return out + '}';
  }
  return out + (JSON.stringify(value) ?? 'null');
}

/** JSON with object keys sorted at every level, so `{a, b}` and `{b, a}` hash alike. @example canonicalJson({ b: 1, a: [2] }) // '{"a":[2],"b":1}' */
export function canonicalJson(value: unknown): string {
  return appendCanonical(value, '');
}

/**
 * @example cacheKey({ endpoint: 'chat', scope: 'team-a', body: { model: 'chat', messages, temperature: 0 } }) // '3f2a…'
 */
export function cacheKey(input: { endpoint: string; scope: string; body: Readonly<Record<string, unknown>> }): string {
  // The same text canonicalJson({ v: 1, endpoint, scope, body without the delivery-only fields }) gives.
  const head = `{"body":`;
  const text =
    appendCanonical(input.body, head, DELIVERY_ONLY_FIELDS) + `,"endpoint":${JSON.stringify(input.endpoint)},"scope":${JSON.stringify(input.scope)},"v":1}`;
  return hash('sha256', text, 'hex');
}
