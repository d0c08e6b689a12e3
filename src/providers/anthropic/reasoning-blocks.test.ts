import { inAnswerOrder, placedBlock, reasoningBlocksOf, reasoningFields, toReasoningBlock } from './reasoning-blocks';

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

  test('a block Claude made between tool calls keeps its place, and goes back before the call it preceded', () => {
    const b = { type: 'thinking', thinking: 'b', signature: 's2' } as const;
    const fields = reasoningFields([placedBlock(a, 0), placedBlock(b, 1)]);
    expect(fields).toEqual({ reasoning_content: 'ab', reasoning_blocks: [a, { ...b, before_tool_call: 1 }] });
    // A single block after a tool call cannot take the reasoning_signature shape, which has no place.
    expect(reasoningFields([placedBlock(b, 1)])).toEqual({ reasoning_content: 'b', reasoning_blocks: [{ ...b, before_tool_call: 1 }] });
    const blocks = reasoningBlocksOf({ role: 'assistant', ...fields });
    expect(inAnswerOrder<unknown>(blocks, ['text'], ['call0', 'call1'], (x) => x)).toEqual([a, 'text', 'call0', b, 'call1']);
    // A place past the last call puts the block at the end; a malformed one counts as none.
    expect(
      inAnswerOrder<unknown>(
        [
          { ...b, before_tool_call: 5 },
          { ...a, before_tool_call: -1 },
        ],
        [],
        ['call0'],
        (x) => x,
      ),
    ).toEqual([a, 'call0', b]);
    expect(toReasoningBlock({ ...b, before_tool_call: 1 })).toEqual(b);
  });
});
