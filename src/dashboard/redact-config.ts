/**
 * The running config as the Config page shows it: every secret-looking field replaced, header values hidden,
 * credentials in URLs cut, and then any registered secret value (from the environment) masked in what is left.
 */
import { redactSecrets } from '../observability/redact';

const SECRET_FIELD = /(^|_)(key|api_key|admin_key|secret|password|token|authorization|credentials?)$/i;
export const REDACTED = '[redacted]';

function walk(value: unknown, field: string | undefined, inHeaders: boolean): unknown {
  if (typeof value === 'string') {
    if (inHeaders || (field !== undefined && SECRET_FIELD.test(field))) return REDACTED;
    return value.replace(/\/\/[^/@\s]+@/g, `//${REDACTED}@`);
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, field, inHeaders));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, k, inHeaders || k === 'headers');
    return out;
  }
  return value;
}

/**
 * The config with its secrets replaced by "[redacted]".
 *
 * @example redactConfig({ providers: { a: { api_key: 'sk-1' } } }) // { providers: { a: { api_key: '[redacted]' } } }
 */
export function redactConfig(config: unknown): unknown {
  return JSON.parse(redactSecrets(JSON.stringify(walk(config, undefined, false)))) as unknown;
}
