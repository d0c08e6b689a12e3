/**
 * The model lists of client keys: which aliases a key may name, as a request's model or in its `fallbacks`.
 * Lives beside the pipeline types because both the auth plugin and the core routing ask.
 */

/**
 * Whether a key's model list allows an alias: "*" allows all, "gpt-*" a prefix, anything else an exact name.
 *
 * @example modelAllowed(['chat', 'demo-*'], 'demo-fast') // true
 */
export function modelAllowed(patterns: readonly string[], alias: string): boolean {
  for (const p of patterns) {
    if (p === '*' || p === alias) return true;
    if (p.endsWith('*') && alias.startsWith(p.slice(0, -1))) return true;
  }
  return false;
}
