/**
 * Secret redaction for anything that leaves the process as text: logs, health output, and every upstream word
 * that reaches a client (routing's AttemptFailure redacts what it carries, the adapters their error excerpts).
 * Configured keys are registered when a config loads; well-known key shapes are caught even if unregistered.
 */

const registered = new Set<string>();

/**
 * Registers secret values (provider keys, client keys) so they are replaced wherever they appear, also in the
 * spellings an upstream may echo them in: URL-encoded (a key sent in a query string) and JSON-escaped.
 */
export function registerSecrets(values: Iterable<string>): void {
  for (const v of values) {
    if (!v || v.length < 6) continue;
    registered.add(v);
    registered.add(encodeURIComponent(v));
    registered.add(JSON.stringify(v).slice(1, -1));
  }
}

// Shapes of common provider keys: OpenAI/DeepSeek "sk-…", Anthropic "sk-ant-…", Google "AIza…", Bearer tokens.
const KEY_PATTERNS = [/\bsk-[A-Za-z0-9_-]{8,}/g, /\bAIza[0-9A-Za-z_-]{20,}/g, /(Bearer\s+)[A-Za-z0-9._-]{8,}/gi];

/**
 * @example redactSecrets('Incorrect API key provided: sk-abc123456789') // 'Incorrect API key provided: [REDACTED]'
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of registered) if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
  for (const re of KEY_PATTERNS) out = out.replace(re, (_m, prefix) => (typeof prefix === 'string' ? `${prefix}[REDACTED]` : '[REDACTED]'));
  return out;
}

/** How far past an excerpt's end redaction looks, so a secret the cut would halve is still recognised whole. */
const EXCERPT_LOOKAHEAD = 1024;

/**
 * The first `maxChars` characters of an upstream's text, redacted. Cutting first and redacting after would
 * leave the front half of a key that straddles the cut, which no longer matches anything.
 *
 * @example redactedExcerpt('<html>… x-api-key: sk-live-0123456789 …</html>', 500)
 */
export function redactedExcerpt(text: string, maxChars: number): string {
  return redactSecrets(text.length > maxChars + EXCERPT_LOOKAHEAD ? text.slice(0, maxChars + EXCERPT_LOOKAHEAD) : text).slice(0, maxChars);
}
