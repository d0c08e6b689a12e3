/**
 * A bridged backend's signed reasoning (Anthropic's thinking block: its text and signature) carried in a
 * reasoning item's `encrypted_content`, opaque to the client, so the block can go back to the backend exactly as
 * it came, whatever the client kept of the summary or content. The client sees `encrypted_content` only when it
 * asked for it (`include: ["reasoning.encrypted_content"]`, as the specification says); the stored turn always
 * keeps it, so previous_response_id continues a tool loop with thinking on.
 */
import type { ResponseItem, ResponseObject } from './types';

/** What marks the gateway's own sealed reasoning, so a backend's (OpenAI's) encrypted content is never mistaken for it. */
const SEAL_PREFIX = 'swy_rs1.';

/** The include value that asks for encrypted reasoning. */
export const ENCRYPTED_REASONING = 'reasoning.encrypted_content';

/** A thinking block as the backend signed it. */
export interface SignedReasoning {
  text: string;
  signature: string;
}

/**
 * @example sealReasoning({ text: 'Let me see', signature: 'EqQB…' }) // 'swy_rs1.eyJ0Ijoi…'
 */
export function sealReasoning(reasoning: SignedReasoning): string {
  return SEAL_PREFIX + Buffer.from(JSON.stringify({ t: reasoning.text, s: reasoning.signature }), 'utf8').toString('base64url');
}

/**
 * The signed reasoning in an item's `encrypted_content`, or undefined when it is not the gateway's seal (absent,
 * another backend's, or damaged: then the reasoning goes back unsigned, which Anthropic leaves out).
 *
 * @example openSealedReasoning(sealReasoning({ text: 'a', signature: 's' })) // { text: 'a', signature: 's' }
 */
export function openSealedReasoning(value: unknown): SignedReasoning | undefined {
  if (typeof value !== 'string' || !value.startsWith(SEAL_PREFIX)) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value.slice(SEAL_PREFIX.length), 'base64url').toString('utf8')) as { t?: unknown; s?: unknown };
    if (typeof parsed.t !== 'string' || typeof parsed.s !== 'string' || !parsed.s) return undefined;
    return { text: parsed.t, signature: parsed.s };
  } catch {
    return undefined;
  }
}

/**
 * True when the item's `encrypted_content` is the gateway's seal (a backend that speaks Responses cannot read it).
 *
 * @example isSealedReasoning({ type: 'reasoning', summary: [], encrypted_content: 'swy_rs1.…' }) // true
 */
export function isSealedReasoning(item: ResponseItem): boolean {
  return item.type === 'reasoning' && typeof item.encrypted_content === 'string' && item.encrypted_content.startsWith(SEAL_PREFIX);
}

/**
 * True when `include` asks for encrypted reasoning.
 *
 * @example wantsEncryptedReasoning(['reasoning.encrypted_content']) // true
 */
export function wantsEncryptedReasoning(include: readonly string[] | null | undefined): boolean {
  return include?.includes(ENCRYPTED_REASONING) === true;
}

/**
 * An output item as the client sees it: the gateway's sealed reasoning left out unless the client asked for it.
 *
 * @example itemForClient(item, false).encrypted_content // undefined
 */
export function itemForClient(item: ResponseItem, withEncrypted: boolean): ResponseItem {
  if (withEncrypted || !isSealedReasoning(item)) return item;
  const copy = { ...item };
  delete copy.encrypted_content;
  return copy;
}

/**
 * A Response as the client sees it (the stored one keeps everything).
 *
 * @example responseForClient(stored.response, wantsEncryptedReasoning(request.include))
 */
export function responseForClient(response: ResponseObject, withEncrypted: boolean): ResponseObject {
  if (withEncrypted || !Array.isArray(response.output) || !response.output.some(isSealedReasoning)) return response;
  return { ...response, output: response.output.map((item) => itemForClient(item, false)) };
}
