/**
 * The log redaction (redact.ts) applied to a byte stream, for answers relayed as they arrive (passthrough): a
 * secret split across two chunks is still caught, because the end of each chunk that could be the start of a
 * secret is held back until the next chunk (or the end) completes or rules it out.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { redactSecrets } from './redact';

/**
 * The longest run of key-shaped characters held back at a chunk's end. The key patterns of redact.ts
 * (`sk-…`, `AIza…`, `Bearer …`) are open-ended, so a key-shaped token that touches the end of a chunk may go on
 * in the next one; it is held whole up to this length. Bounds the memory one stream may hold.
 */
export const MAX_TOKEN_HOLD = 4096;

// The characters of redact.ts's key patterns: [A-Za-z0-9._-].
function isTokenChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 45;
}

const BEARER_AT_END = /Bearer\s*$/i;

/** Length of the longest end of `text` that is the start (not the whole) of one of `secrets`. */
function partialSecretAtEnd(text: string, secrets: readonly string[]): number {
  let hold = 0;
  for (const s of secrets) {
    for (let i = Math.max(0, text.length - (s.length - 1)); i < text.length - hold; i++) {
      if (s.startsWith(text.slice(i))) {
        hold = text.length - i;
        break;
      }
    }
  }
  return hold;
}

/**
 * Splits buffered text into what can go out now, redacted, and what must wait for more text.
 *
 * @example splitForRedaction('key sk-abc', ['sk-abcdefghijkl']) // { ready: 'key ', held: 'sk-abc' }
 */
export function splitForRedaction(text: string, secrets: readonly string[]): { ready: string; held: string } {
  let cut = text.length;
  while (cut > 0 && text.length - cut < MAX_TOKEN_HOLD && isTokenChar(text.charCodeAt(cut - 1))) cut--;
  const bearer = BEARER_AT_END.exec(text.slice(Math.max(0, cut - 64), cut));
  if (bearer) cut -= bearer[0].length;
  const out = redactSecrets(text.slice(0, cut));
  const partial = partialSecretAtEnd(out, secrets);
  return { ready: out.slice(0, out.length - partial), held: out.slice(out.length - partial) + text.slice(cut) };
}

/**
 * A Transform that redacts configured secrets and key-shaped tokens from the bytes passing through. Works on
 * the bytes as latin1 text, one character per byte, so binary bodies come out unchanged unless they contain a
 * secret; the secrets are matched as their UTF-8 bytes.
 *
 * @example pipeline(upstream.body, new RedactingStream([provider.settings.apiKey]), res, done)
 */
export class RedactingStream extends Transform {
  private held = '';
  private readonly secrets: string[];

  /** `secrets`: the registered secrets this stream may see split across chunks (the configured provider keys). */
  constructor(secrets: Iterable<string>) {
    super();
    this.secrets = [...secrets].filter((s) => s.length > 1).map((s) => Buffer.from(s, 'utf8').toString('latin1'));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const { ready, held } = splitForRedaction(this.held + chunk.toString('latin1'), this.secrets);
    this.held = held;
    if (ready) this.push(Buffer.from(ready, 'latin1'));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.held) this.push(Buffer.from(redactSecrets(this.held), 'latin1'));
    this.held = '';
    done();
  }
}
