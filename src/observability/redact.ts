/**
 * Secret redaction for anything that leaves the process as text (logs, error messages, health output).
 * Configured keys are registered when a config loads; well-known key shapes are caught even if unregistered.
 */

const registered = new Set<string>();

/** Registers secret values (provider keys, client keys) so they are replaced wherever they appear. */
export function registerSecrets(values: Iterable<string>): void {
  for (const v of values) if (v && v.length >= 6) registered.add(v);
}

// Shapes of common provider keys: OpenAI/DeepSeek "sk-…", Anthropic "sk-ant-…", Google "AIza…", Bearer tokens.
const KEY_PATTERNS = [/\bsk-[A-Za-z0-9_\-]{8,}/g, /\bAIza[0-9A-Za-z_\-]{20,}/g, /(Bearer\s+)[A-Za-z0-9._\-]{8,}/gi];

/**
 * @example redactSecrets('Incorrect API key provided: sk-abc123456789') // 'Incorrect API key provided: [REDACTED]'
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of registered) if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
  for (const re of KEY_PATTERNS) out = out.replace(re, (_m, prefix) => (typeof prefix === 'string' ? `${prefix}[REDACTED]` : '[REDACTED]'));
  return out;
}
