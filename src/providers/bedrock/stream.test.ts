import { UpstreamFailure } from '../../upstream/http-spec';
import { BedrockStreamTranslator } from './stream';

const ev = (event: string, payload: unknown) => ({ event, data: JSON.stringify(payload) });

describe('BedrockStreamTranslator', () => {
  test('text, a tool call and the usage become OpenAI chunks; the stream is done at metadata', () => {
    const t = new BedrockStreamTranslator('Bedrock', 'm', 0);
    const out = [
      ev('messageStart', { role: 'assistant' }),
      ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } }),
      ev('contentBlockStop', { contentBlockIndex: 0 }),
      ev('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 't1', name: 'f' } } }),
      ev('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":' } } }),
      ev('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '1}' } } }),
      ev('messageStop', { stopReason: 'tool_use' }),
    ].flatMap((e) => t.push(e));
    expect(t.done).toBe(false);
    const deltas = out.map((c) => c.choices[0].delta);
    expect(deltas[0]).toEqual({ role: 'assistant', content: 'Hi' });
    expect(deltas[1].tool_calls).toEqual([{ index: 0, id: 't1', type: 'function', function: { name: 'f', arguments: '' } }]);
    expect(
      deltas
        .slice(2, 4)
        .map((d) => d.tool_calls?.[0].function?.arguments)
        .join(''),
    ).toBe('{"a":1}');
    expect(out[out.length - 1].choices[0].finish_reason).toBe('tool_calls');
    const [usage] = t.push(ev('metadata', { usage: { inputTokens: 3, outputTokens: 2, cacheWriteInputTokens: 5 } }));
    expect(t.done).toBe(true);
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 2, prompt_tokens_details: { cache_write_tokens: 5 } });
  });

  test('an exception event throws the normalised failure', () => {
    const t = new BedrockStreamTranslator('Bedrock', 'm', 0);
    let thrown: unknown;
    try {
      t.push(ev('exception', { message: 'busy', __type: 'serviceUnavailableException' }));
    } catch (e) {
      thrown = e;
    }
    expect((thrown as UpstreamFailure).info).toMatchObject({ status: 503, retryable: true });
  });
});
