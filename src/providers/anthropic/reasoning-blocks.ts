/**
 * Claude's signed reasoning as it travels through the gateway's chat messages, whichever host served it
 * (Anthropic's thinking / redacted_thinking blocks, Bedrock's reasoningContent). Claude checks each block it gets
 * back against its own signature, so every block must return whole, in order: joining the texts, or keeping one
 * signature for several blocks, is refused.
 *
 * On a chat message: `reasoning_content` is the texts joined (what clients display); one thinking block is
 * `reasoning_signature` beside it (the shape clients already send back), anything more (several blocks, a
 * redacted one) is `reasoning_blocks`, every block as signed, in order (what goes back). On chat deltas: `reasoning_content` pieces, then `reasoning_signature`,
 * which ends that block (reasoning after it starts the next), and `reasoning_redacted`, one whole redacted block.
 */
import type { ChatMessage } from '../openai-types';

/** One block of Claude's reasoning, as signed. */
export type ReasoningBlock = { type: 'thinking'; thinking: string; signature: string } | { type: 'redacted_thinking'; data: string };

/**
 * A well-formed reasoning block, or undefined (a thinking block without its signature cannot go back).
 *
 * @example toReasoningBlock({ type: 'redacted_thinking', data: 'EmwK…' }) // { type: 'redacted_thinking', data: 'EmwK…' }
 */
export function toReasoningBlock(value: unknown): ReasoningBlock | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (v.type === 'thinking' && typeof v.thinking === 'string' && typeof v.signature === 'string' && v.signature) {
    return { type: 'thinking', thinking: v.thinking, signature: v.signature };
  }
  if (v.type === 'redacted_thinking' && typeof v.data === 'string' && v.data) return { type: 'redacted_thinking', data: v.data };
  return undefined;
}

/**
 * The chat-message fields that carry these blocks (and unsigned reasoning text, shown but never sent back).
 *
 * @example reasoningFields([{ type: 'thinking', thinking: 'a', signature: 's1' }, { type: 'thinking', thinking: 'b', signature: 's2' }])
 * // { reasoning_content: 'ab', reasoning_blocks: [ …both ] }
 * @example reasoningFields([{ type: 'thinking', thinking: 'a', signature: 's1' }]) // { reasoning_content: 'a', reasoning_signature: 's1' }
 */
export function reasoningFields(blocks: readonly ReasoningBlock[], unsignedText = ''): Partial<ChatMessage> {
  const text = blocks.map((b) => (b.type === 'thinking' ? b.thinking : '')).join('') + unsignedText;
  const out: Partial<ChatMessage> = {};
  if (text) out.reasoning_content = text;
  const only = blocks.length === 1 ? blocks[0] : undefined;
  if (only?.type === 'thinking') out.reasoning_signature = only.signature;
  else if (blocks.length) out.reasoning_blocks = [...blocks];
  return out;
}

/**
 * The signed blocks of an assistant message, in order: its `reasoning_blocks`, or else the single block that
 * `reasoning_content` with `reasoning_signature` make. Unsigned reasoning gives none (Claude refuses it).
 *
 * @example reasoningBlocksOf({ role: 'assistant', reasoning_content: 'Let me see', reasoning_signature: 'EqQB…' })
 * // [{ type: 'thinking', thinking: 'Let me see', signature: 'EqQB…' }]
 */
export function reasoningBlocksOf(msg: ChatMessage): ReasoningBlock[] {
  if (Array.isArray(msg.reasoning_blocks)) {
    return msg.reasoning_blocks.map(toReasoningBlock).filter((b): b is ReasoningBlock => b !== undefined);
  }
  const signature = msg.reasoning_signature;
  if (typeof signature !== 'string' || !signature || typeof msg.reasoning_content !== 'string') return [];
  return [{ type: 'thinking', thinking: msg.reasoning_content, signature }];
}
