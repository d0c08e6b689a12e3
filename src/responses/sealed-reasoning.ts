/**
 * A bridged backend's signed reasoning (Claude's thinking blocks: text and signature; its redacted blocks) carried in a
 * reasoning item's `encrypted_content`, opaque to the client, so the block can go back to the backend exactly as
 * it came, whatever the client kept of the summary or content. The client sees `encrypted_content` only when it
 * asked for it (`include: ["reasoning.encrypted_content"]`, as the specification says); the stored turn always
 * keeps it, so previous_response_id continues a tool loop with thinking on.
 */
import { toReasoningBlock, type ReasoningBlock } from '../providers/anthropic/reasoning-blocks';
import type { ResponseItem, ResponseObject } from './types';

/** What marks the gateway's own sealed reasoning, so a backend's (OpenAI's) encrypted content is never mistaken for it. */
const SEAL_PREFIX = 'swy_rs1.';

/** The include value that asks for encrypted reasoning. */
export const ENCRYPTED_REASONING = 'reasoning.encrypted_content';

/**
 * One Claude reasoning block per reasoning item, sealed: a thinking block (text and signature) or a redacted one
 * (opaque data, never shown). Several blocks in one answer are several items, in order, as the specification
 * lets `output` hold any number of reasoning items.
 *
 * @example sealReasoning({ type: 'thinking', thinking: 'Let me see', signature: 'EqQB…' }) // 'swy_rs1.eyJ0Ijoi…'
 */
export function sealReasoning(block: ReasoningBlock): string {
  const payload = block.type === 'thinking' ? { t: block.thinking, s: block.signature } : { r: block.data };
  return SEAL_PREFIX + Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/**
 * The block in an item's `encrypted_content`, or undefined when it is not the gateway's seal (absent, another
 * backend's, or damaged: then the reasoning goes back unsigned, which Anthropic leaves out).
 *
 * @example openSealedReasoning(sealReasoning({ type: 'redacted_thinking', data: 'EmwK' })) // { type: 'redacted_thinking', data: 'EmwK' }
 */
export function openSealedReasoning(value: unknown): ReasoningBlock | undefined {
  if (typeof value !== 'string' || !value.startsWith(SEAL_PREFIX)) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value.slice(SEAL_PREFIX.length), 'base64url').toString('utf8')) as { t?: unknown; s?: unknown; r?: unknown };
    if (parsed.r !== undefined) return toReasoningBlock({ type: 'redacted_thinking', data: parsed.r });
    return toReasoningBlock({ type: 'thinking', thinking: parsed.t, signature: parsed.s });
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
