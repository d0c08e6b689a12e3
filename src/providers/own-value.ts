/**
 * Lookups in the gateway's fixed tables by a key that came from upstream or client data. A plain `table[key]`
 * answers "constructor", "toString" or "__proto__" with Object.prototype's members (a function as an HTTP status,
 * say); this answers only the table's own entries.
 */

/**
 * @example ownValue({ tool_use: 'tool_calls' }, 'constructor') // undefined (a plain lookup gives the Object function)
 */
export function ownValue<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
