import { reasoningBlocksOf, reasoningFields, toReasoningBlock } from './reasoning-blocks';

describe('reasoning blocks on chat messages', () => {
  const a = { type: 'thinking', thinking: 'a', signature: 's1' } as const;
  const r = { type: 'redacted_thinking', data: 'EmwK' } as const;

  test('one thinking block keeps the reasoning_signature shape clients already send back', () => {
    const fields = reasoningFields([a]);
    expect(fields).toEqual({ reasoning_content: 'a', reasoning_signature: 's1' });
    expect(reasoningBlocksOf({ role: 'assistant', ...fields })).toEqual([a]);
  });

  test('several blocks, or a redacted one, travel in reasoning_blocks, in order, and the redacted data is never shown', () => {
    const b = { type: 'thinking', thinking: 'b', signature: 's2' } as const;
    const fields = reasoningFields([a, r, b], 'unsigned');
    expect(fields).toEqual({ reasoning_content: 'abunsigned', reasoning_blocks: [a, r, b] });
    // reasoning_blocks wins over a stale pair beside it.
    expect(reasoningBlocksOf({ role: 'assistant', ...fields, reasoning_signature: 's2' })).toEqual([a, r, b]);
    expect(reasoningFields([r])).toEqual({ reasoning_blocks: [r] });
  });

  test('blocks that cannot go back are left out: unsigned thinking, empty redacted data, anything else', () => {
    expect(toReasoningBlock({ type: 'thinking', thinking: 'x' })).toBeUndefined();
    expect(toReasoningBlock({ type: 'redacted_thinking', data: '' })).toBeUndefined();
    expect(reasoningBlocksOf({ role: 'assistant', reasoning_blocks: [{ type: 'text', text: 'x' }, a] })).toEqual([a]);
    expect(reasoningBlocksOf({ role: 'assistant', reasoning_content: 'another provider’s thoughts' })).toEqual([]);
  });
});
