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
 *
 * Claude may think again between tool calls (thinking, tool_use, thinking, tool_use) and wants that order back.
 * Chat has one list of tool calls, so a block that came after some of them says where: `before_tool_call`, the
 * index of the tool call it preceded (absent: before everything, the text included).
 */
import type { ChatMessage } from '../openai-types';

/** One block of Claude's reasoning, as signed. */
export type ReasoningBlock = { type: 'thinking'; thinking: string; signature: string } | { type: 'redacted_thinking'; data: string };

/** A block with its place among the turn's tool calls (absent: before everything). */
export type PlacedReasoningBlock = ReasoningBlock & { before_tool_call?: number };

/**
 * The block with its place: `toolCallsBefore` tool calls came before it (none: the field is left out).
 *
 * @example placedBlock({ type: 'redacted_thinking', data: 'EmwK…' }, 1) // { type: 'redacted_thinking', data: 'EmwK…', before_tool_call: 1 }
 */
export function placedBlock(block: ReasoningBlock, toolCallsBefore: number): PlacedReasoningBlock {
  return toolCallsBefore > 0 ? { ...block, before_tool_call: toolCallsBefore } : block;
}

/** A block's place, 0 when it has none or a malformed one. */
function placeOf(block: PlacedReasoningBlock): number {
  const at = block.before_tool_call;
  return typeof at === 'number' && Number.isInteger(at) && at > 0 ? at : 0;
}

/**
 * A well-formed reasoning block, or undefined (a thinking block without its signature cannot go back).
 *
 * @example toReasoningBlock({ type: 'redacted_thinking', data: 'EmwK…' }) // { type: 'redacted_thinking', data: 'EmwK…' }
 */
export function toReasoningBlock(value: unknown): ReasoningBlock | undefined {
  const placed = toPlacedReasoningBlock(value);
  return placed && unplaced(placed);
}

/** The block as Claude signed it, without the gateway's note of its place. */
function unplaced(block: PlacedReasoningBlock): ReasoningBlock {
  return block.type === 'thinking'
    ? { type: 'thinking', thinking: block.thinking, signature: block.signature }
    : { type: 'redacted_thinking', data: block.data };
}

/**
 * A well-formed reasoning block with its place among the tool calls, if it has one.
 *
 * @example toPlacedReasoningBlock({ type: 'redacted_thinking', data: 'EmwK…', before_tool_call: 1 }) // the same
 */
export function toPlacedReasoningBlock(value: unknown): PlacedReasoningBlock | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const place = typeof v.before_tool_call === 'number' ? v.before_tool_call : 0;
  if (v.type === 'thinking' && typeof v.thinking === 'string' && typeof v.signature === 'string' && v.signature) {
    return placedBlock({ type: 'thinking', thinking: v.thinking, signature: v.signature }, place);
  }
  if (v.type === 'redacted_thinking' && typeof v.data === 'string' && v.data) return placedBlock({ type: 'redacted_thinking', data: v.data }, place);
  return undefined;
}

/**
 * The chat-message fields that carry these blocks (and unsigned reasoning text, shown but never sent back).
 *
 * @example reasoningFields([{ type: 'thinking', thinking: 'a', signature: 's1' }, { type: 'thinking', thinking: 'b', signature: 's2' }])
 * // { reasoning_content: 'ab', reasoning_blocks: [ …both ] }
 * @example reasoningFields([{ type: 'thinking', thinking: 'a', signature: 's1' }]) // { reasoning_content: 'a', reasoning_signature: 's1' }
 */
export function reasoningFields(blocks: readonly PlacedReasoningBlock[], unsignedText = ''): Partial<ChatMessage> {
  const text = blocks.map((b) => (b.type === 'thinking' ? b.thinking : '')).join('') + unsignedText;
  const out: Partial<ChatMessage> = {};
  if (text) out.reasoning_content = text;
  const only = blocks.length === 1 && placeOf(blocks[0]) === 0 ? blocks[0] : undefined;
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
export function reasoningBlocksOf(msg: ChatMessage): PlacedReasoningBlock[] {
  if (Array.isArray(msg.reasoning_blocks)) {
    return msg.reasoning_blocks.map(toPlacedReasoningBlock).filter((b): b is PlacedReasoningBlock => b !== undefined);
  }
  const signature = msg.reasoning_signature;
  if (typeof signature !== 'string' || !signature || typeof msg.reasoning_content !== 'string') return [];
  return [{ type: 'thinking', thinking: msg.reasoning_content, signature }];
}

/**
 * An assistant turn's content in the order Claude made it: the blocks without a place, then `text`, then each
 * tool call after the blocks placed before it (a place past the last call puts the block at the end).
 *
 * @example inAnswerOrder([r1, { ...r2, before_tool_call: 1 }], ['text'], [call0, call1], (b) => b)
 * // [r1, 'text', call0, r2, call1]
 */
export function inAnswerOrder<T>(
  blocks: readonly PlacedReasoningBlock[],
  text: readonly T[],
  toolCalls: readonly T[],
  asContent: (b: ReasoningBlock) => T,
): T[] {
  const placedAt = (keep: (place: number) => boolean) => blocks.filter((b) => keep(placeOf(b))).map((b) => asContent(unplaced(b)));
  const out = [...placedAt((p) => p === 0), ...text];
  toolCalls.forEach((call, n) => out.push(...(n > 0 ? placedAt((p) => p === n) : []), call));
  out.push(...placedAt((p) => p >= Math.max(1, toolCalls.length)));
  return out;
}
