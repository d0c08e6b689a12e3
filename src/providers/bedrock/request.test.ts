import { UpstreamFailure } from '../../upstream/http-spec';
import { converseRequestProblem } from '../../testing/fake-bedrock';
import { toConverseRequest } from './request';

const provider = { dropParams: [] };

describe('toConverseRequest', () => {
  test('consecutive tool results merge into one user turn after the assistant tool calls, and the fake accepts it', () => {
    const body = toConverseRequest(
      {
        model: 'amazon.nova-pro-v1:0',
        tools: [{ type: 'function', function: { name: 'f' } }],
        messages: [
          { role: 'user', content: 'go' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } },
              { id: 'b', type: 'function', function: { name: 'f', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: 'a', content: 'one' },
          { role: 'tool', tool_call_id: 'b', content: '' },
        ],
      },
      provider,
    );
    expect(body.messages).toHaveLength(3);
    expect(body.messages[2].content.map((b) => b.toolResult?.toolUseId)).toEqual(['a', 'b']);
    expect(body.toolConfig?.tools[0]).toEqual({ toolSpec: { name: 'f', inputSchema: { json: { type: 'object', properties: {} } } } });
    expect(converseRequestProblem(body as unknown as Record<string, unknown>)).toBeUndefined();
  });

  test('tool_choice none leaves the tools out when the history has no tool turns', () => {
    const body = toConverseRequest(
      { model: 'm', tool_choice: 'none', tools: [{ type: 'function', function: { name: 'f' } }], messages: [{ role: 'user', content: 'hi' }] },
      provider,
    );
    expect(body.toolConfig).toBeUndefined();
  });

  test('temperature is clamped to 0..1 for Claude only, and fields Converse lacks are not sent', () => {
    const claude = toConverseRequest(
      { model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', temperature: 1.7, seed: 3, frequency_penalty: 1, messages: [{ role: 'user', content: 'x' }] },
      provider,
    );
    const nova = toConverseRequest({ model: 'amazon.nova-pro-v1:0', temperature: 1.7, messages: [{ role: 'user', content: 'x' }] }, provider);
    expect(claude.inferenceConfig).toEqual({ temperature: 1 });
    expect(Object.keys(claude)).toEqual(['messages', 'inferenceConfig']);
    expect(nova.inferenceConfig).toEqual({ temperature: 1.7 });
  });

  test('Claude-native top_k and thinking go in additionalModelRequestFields', () => {
    const body = toConverseRequest(
      { model: 'anthropic.claude-x', top_k: 5, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'x' }] },
      provider,
    );
    expect(body.additionalModelRequestFields).toEqual({ top_k: 5, thinking: { type: 'enabled', budget_tokens: 1024 } });
  });

  test('n > 1, unknown content parts and unsupported documents are refused as the client 400', () => {
    const attempt = (body: Parameters<typeof toConverseRequest>[0]) => {
      try {
        toConverseRequest(body, provider);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(attempt({ model: 'm', n: 2, messages: [{ role: 'user', content: 'x' }] })).toBeInstanceOf(UpstreamFailure);
    expect(attempt({ model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] })).toBeInstanceOf(UpstreamFailure);
    const zip = attempt({
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/zip;base64,UEsD', filename: 'a.zip' } }] }],
    });
    expect((zip as UpstreamFailure).info).toMatchObject({ status: 400, retryable: false });
  });

  test('two documents with the same name get distinct names', () => {
    const file = { type: 'file', file: { file_data: 'data:text/plain;base64,aGk=', filename: 'notes.txt' } };
    const body = toConverseRequest({ model: 'm', messages: [{ role: 'user', content: [file, file] }] }, provider);
    expect(body.messages[0].content.map((b) => b.document?.name)).toEqual(['notes', 'notes (2)']);
  });
});

describe('reasoning_effort on Bedrock', () => {
  const ask = (model: string) =>
    toConverseRequest({ model, messages: [{ role: 'user', content: 'Think' }], reasoning_effort: 'low', temperature: 0.5 }, { dropParams: [] });

  test('becomes thinking for Claude models that think, without temperature and with room for the answer', () => {
    const out = ask('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(out.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 2048 } });
    expect(out.inferenceConfig).toEqual({ maxTokens: 40000 });
  });

  test('is not sent to models that would refuse thinking', () => {
    for (const model of ['anthropic.claude-3-5-haiku-20241022-v1:0', 'amazon.nova-lite-v1:0']) {
      expect(ask(model).additionalModelRequestFields).toBeUndefined();
      expect(ask(model).inferenceConfig?.temperature).toBe(0.5);
    }
  });
});
