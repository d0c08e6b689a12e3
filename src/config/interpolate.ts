/**
 * `${VAR}` and `${VAR:-default}` substitution from the environment, inside string values only (so a value can
 * never inject YAML structure). `$${` escapes a literal `${`. Unset variables without a default become empty
 * strings and are reported, so the loader can mark a provider unavailable and name the missing variable.
 */

export type ConfigPath = (string | number)[];

export interface MissingVariable {
  path: ConfigPath;
  variable: string;
}

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * @example
 * interpolateString('${HOST:-localhost}:4000', {}) // { value: 'localhost:4000', missing: [] }
 */
export function interpolateString(text: string, env: NodeJS.ProcessEnv): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = text.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    const v = env[name as string];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    missing.push(name as string);
    return '';
  });
  return { value, missing };
}

/** Walks a parsed config, interpolating every string; returns a new tree and the variables that were unset. */
export function interpolateTree(tree: unknown, env: NodeJS.ProcessEnv): { value: unknown; missing: MissingVariable[] } {
  const missing: MissingVariable[] = [];
  const walk = (node: unknown, path: ConfigPath): unknown => {
    if (typeof node === 'string') {
      const r = interpolateString(node, env);
      for (const variable of r.missing) missing.push({ path, variable });
      return r.value;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return node;
  };
  return { value: walk(tree, []), missing };
}
