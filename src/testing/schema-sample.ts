/**
 * A value that follows a JSON Schema, for the fakes' structured-output answers: what a real model constrained
 * by that schema would produce, deterministically (first enum value, "example" strings, 1 for numbers).
 */

/**
 * @example sampleForSchema({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }) // { city: 'example' }
 */
export function sampleForSchema(schema: unknown, depth = 0): unknown {
  const s = (schema && typeof schema === 'object' ? schema : {}) as Record<string, unknown>;
  if (depth > 8) return null;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if ('const' in s) return s.const;
  const variants = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(variants) && variants.length) return sampleForSchema(variants[0], depth + 1);
  const raw = Array.isArray(s.type) ? s.type[0] : s.type;
  const type = typeof raw === 'string' ? raw.toLowerCase() : raw;
  switch (type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sampleForSchema(v, depth + 1)]));
    }
    case 'array':
      return [sampleForSchema(s.items, depth + 1)];
    case 'string':
      return 'example';
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return s.properties ? sampleForSchema({ ...s, type: 'object' }, depth) : {};
  }
}
