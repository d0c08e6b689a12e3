import { itemsToMessages, responsesToChatRequest } from './request';
import { sealReasoning } from './sealed-reasoning';
import type { ResponseItem } from './types';

describe('responsesToChatRequest', () => {
  test('instructions become the system message ahead of the history and the input', () => {
    const history: ResponseItem[] = [
      { type: 'message', role: 'user', content: 'one' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'two' }] },
    ];
    const chat = responsesToChatRequest({ model: 'fast', instructions: 'Be brief', input: [{ type: 'message', role: 'user', content: 'three' }] }, history);
    expect(chat.messages).toEqual([
      { role: 'system', content: 'Be brief' },
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'two' },
      { role: 'user', content: 'three' },
    ]);
  });

  test('settings map to their chat names', () => {
    const chat = responsesToChatRequest(
      {
        model: 'fast',
        input: [],
        stream: true,
        tools: [{ type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }],
        tool_choice: { type: 'function', name: 'f' },
        parallel_tool_calls: false,
        text: { format: { type: 'json_schema', name: 'w', schema: { type: 'object' }, strict: true } },
        reasoning: { effort: 'high' },
        max_output_tokens: 99,
        temperature: 0.5,
        top_p: 0.9,
        user: 'u1',
        metadata: { a: 'b' },
        store: true,
      },
      [],
    );
    expect(chat).toEqual({
      model: 'fast',
      messages: [],
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'w', schema: { type: 'object' }, strict: true } },
      reasoning_effort: 'high',
      max_completion_tokens: 99,
      temperature: 0.5,
      top_p: 0.9,
      user: 'u1',
    });
  });

  test('json_object becomes response_format json_object', () => {
    expect(responsesToChatRequest({ model: 'm', input: [], text: { format: { type: 'json_object' } } }, []).response_format).toEqual({ type: 'json_object' });
  });
});

describe('itemsToMessages', () => {
  test('consecutive function calls are one assistant turn; their outputs are tool messages', () => {
    const messages = itemsToMessages([
      { type: 'message', role: 'user', content: 'weather?' },
      { type: 'function_call', call_id: 'c1', name: 'w', arguments: '{"city":"A"}' },
      { type: 'function_call', call_id: 'c2', name: 'w', arguments: '{"city":"B"}' },
      { type: 'function_call_output', call_id: 'c1', output: 'sun' },
      { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'rain' }] },
    ]);
    expect(messages).toEqual([
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'w', arguments: '{"city":"A"}' } },
          { id: 'c2', type: 'function', function: { name: 'w', arguments: '{"city":"B"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'sun' },
      { role: 'tool', tool_call_id: 'c2', content: 'rain' },
    ]);
  });

  test('an assistant message followed by its function call stays one turn', () => {
    const messages = itemsToMessages([
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Let me look.' }] },
      { type: 'function_call', call_id: 'c1', name: 'w', arguments: '{}' },
    ]);
    expect(messages).toEqual([
      { role: 'assistant', content: 'Let me look.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{}' } }] },
    ]);
  });

  test('a reasoning item travels as reasoning_content on the assistant turn it preceded', () => {
    const messages = itemsToMessages([
      { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'thinking…' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'answer' }] },
    ]);
    expect(messages).toEqual([{ role: 'assistant', content: 'answer', reasoning_content: 'thinking…' }]);
  });

  test('sealed reasoning between function calls stays in their turn, placed before the call it preceded', () => {
    const a = { type: 'thinking', thinking: 'a', signature: 's1' } as const;
    const b = { type: 'thinking', thinking: 'b', signature: 's2' } as const;
    const call = (id: string): ResponseItem => ({ type: 'function_call', call_id: id, name: 'f', arguments: '{}' });
    const messages = itemsToMessages([
      { type: 'message', role: 'user', content: 'Hi' },
      { type: 'reasoning', summary: [], encrypted_content: sealReasoning(a) },
      call('c1'),
      { type: 'reasoning', summary: [], encrypted_content: sealReasoning(b) },
      call('c2'),
      { type: 'function_call_output', call_id: 'c1', output: 'x' },
      { type: 'function_call_output', call_id: 'c2', output: 'y' },
    ]);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'tool']);
    expect(messages[1].tool_calls?.map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(messages[1].reasoning_blocks).toEqual([a, { ...b, before_tool_call: 1 }]);
    expect(messages[1].reasoning_signature).toBeUndefined();
  });

  test('image and file parts become chat parts', () => {
    const [message] = itemsToMessages([
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'look' },
          { type: 'input_image', image_url: 'https://x/y.png', detail: 'high' },
          { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,AAAA' },
        ],
      },
    ]);
    expect(message.content).toEqual([
      { type: 'text', text: 'look' },
      { type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'high' } },
      { type: 'file', file: { file_data: 'data:application/pdf;base64,AAAA', filename: 'a.pdf' } },
    ]);
  });
});
