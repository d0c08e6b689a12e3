import type { ChatRequest } from '../openai-types';
import { mistralQuirks, mistralToolCallId } from './mistral';

const call = { provider: {} as never, model: 'mistral-large-latest', stream: false };

describe('Mistral quirks', () => {
  it('rewrites a foreign tool-call id in the call and its result to the same 9-character id', () => {
    const body = mistralQuirks.request!(
      {
        model: 'mistral-large-latest',
        messages: [
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'call_abc123', content: 'ok' },
        ],
      },
      call,
    );
    const id = mistralToolCallId('call_abc123');
    expect(id).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(body.messages[0]).toMatchObject({ tool_calls: [{ id }] });
    expect(body.messages[1]).toMatchObject({ tool_call_id: id });
  });

  it("passes on a client's tool call without an id (or a null entry) for Mistral to refuse, instead of throwing", () => {
    const messages = [
      { role: 'assistant', content: null, tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }, null] },
      { role: 'user', content: 'go on' },
    ];
    const body = { model: 'mistral-large-latest', messages } as unknown as ChatRequest;
    expect(() => mistralQuirks.request!(body, call)).not.toThrow();
    expect(mistralQuirks.request!(body, call).messages).toEqual(messages);
  });
});
