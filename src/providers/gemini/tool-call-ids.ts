/**
 * OpenAI tool calls need ids; Gemini function calls usually have none. Ids are derived from the response, so
 * they are stable, short and valid for every provider (`call_` + 24 hex characters). Gemini's thought
 * signature (a few hundred base64 characters, which no provider's id pattern takes) travels out of band: on
 * the tool call as `extra_content.google.thought_signature` (Google's own OpenAI-compatible spelling, which
 * clients that send the assistant message back as they got it return), and in a bounded gateway-side store
 * keyed by the id, for clients that rebuild tool calls from id, name and arguments only.
 */
import { createHash } from 'node:crypto';

/**
 * Ids whose signatures the store remembers, and the characters of signature it holds at most (signatures run
 * from a few hundred bytes to kilobytes); past either the oldest are forgotten (Gemini 3 then gets the sentinel).
 */
export const SIGNATURE_STORE_SIZE = 10_000;
export const SIGNATURE_STORE_CHARS = 16 * 1024 * 1024;

/**
 * Google's documented value for a function call Gemini did not make (or whose signature is lost): Gemini 3
 * accepts it in place of a real signature.
 */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

// The spelling of earlier releases, whose ids carried the signature inline: still read, never written.
const LEGACY_SIGNATURE_SEPARATOR = '__thought__';

const signatureById = new Map<string, string>();
let storedChars = 0;

function remember(id: string, signature: string): void {
  if (signature.length > SIGNATURE_STORE_CHARS) return;
  const old = signatureById.get(id);
  if (old !== undefined) {
    storedChars -= old.length;
    signatureById.delete(id);
  }
  signatureById.set(id, signature);
  storedChars += signature.length;
  while (signatureById.size > SIGNATURE_STORE_SIZE || storedChars > SIGNATURE_STORE_CHARS) {
    const [oldestId, oldest] = signatureById.entries().next().value!;
    signatureById.delete(oldestId);
    storedChars -= oldest.length;
  }
}

/**
 * @example toolCallId({ responseId: 'r1', position: 0, name: 'get_weather' }) // 'call_3f2a…' (29 characters)
 * @example toolCallId({ responseId: 'r1', position: 0, name: 'f', signature: 'c2ln' }) // 'call_…', and 'c2ln' is remembered for it
 */
export function toolCallId(from: { responseId?: string; position: number | string; name: string; signature?: string }): string {
  const id = `call_${createHash('sha256')
    .update(`${from.responseId ?? ''}:${from.position}:${from.name}:${from.signature ?? ''}`)
    .digest('hex')
    .slice(0, 24)}`;
  if (from.signature) remember(id, from.signature);
  return id;
}

/**
 * The signature of a tool call Gemini made: from the call's `extra_content`, else the store, else (ids of
 * earlier releases) the id itself.
 *
 * @example thoughtSignatureOf('call_ab', { google: { thought_signature: 'c2ln' } }) // 'c2ln'
 */
export function thoughtSignatureOf(id: string | undefined, extraContent?: unknown): string | undefined {
  const carried = (extraContent as { google?: { thought_signature?: unknown } } | undefined)?.google?.thought_signature;
  if (typeof carried === 'string' && carried) return carried;
  if (!id) return undefined;
  const stored = signatureById.get(id);
  if (stored) return stored;
  const at = id.indexOf(LEGACY_SIGNATURE_SEPARATOR);
  return at < 0 ? undefined : id.slice(at + LEGACY_SIGNATURE_SEPARATOR.length);
}

/**
 * What a tool call carries for its signature, as Google's OpenAI-compatible endpoint spells it.
 *
 * @example signatureExtra('c2ln') // { extra_content: { google: { thought_signature: 'c2ln' } } }
 */
export function signatureExtra(signature: string | undefined): { extra_content?: { google: { thought_signature: string } } } {
  return signature ? { extra_content: { google: { thought_signature: signature } } } : {};
}
