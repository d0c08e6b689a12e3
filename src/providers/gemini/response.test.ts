import { upstreamCall } from '../../testing/upstream-call';
import { UpstreamFailure } from '../../upstream/http-spec';
import { geminiAdapter } from './index';
import { toFinishReason, toOpenAIUsage } from './response';
import { thoughtSignatureOf } from './tool-call-ids';

const call = upstreamCall({ api: 'gemini', model: 'gemini-2.5-flash' });

describe('gemini response translation', () => {
  it('turns a text candidate into a completion with usage', () => {
    const completion = geminiAdapter.parseChatResponse(
      {
        candidates: [
          { content: { parts: [{ text: 'The sky is blue ' }, { text: 'because of Rayleigh scattering.' }], role: 'model' }, finishReason: 'STOP', index: 0 },
        ],
        usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 12, totalTokenCount: 21 },
        modelVersion: 'gemini-2.5-flash',
        responseId: 'mAitaJ2RN4ugz7IPlYq00Qs',
      },
      call,
    );
    expect(completion).toMatchObject({
      id: 'chatcmpl-mAitaJ2RN4ugz7IPlYq00Qs',
      object: 'chat.completion',
      model: 'gemini-2.5-flash',
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'The sky is blue because of Rayleigh scattering.' } }],
      usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21, prompt_tokens_details: { cached_tokens: 0 } },
    });
  });

  it('turns functionCall parts into tool_calls with stable ids and finish_reason tool_calls', () => {
    const res = {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CiQBVKhc7' },
              { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 50, candidatesTokenCount: 10, thoughtsTokenCount: 25, totalTokenCount: 85 },
      responseId: 'resp-1',
    };
    const first = geminiAdapter.parseChatResponse(res, call);
    const again = geminiAdapter.parseChatResponse(res, call);
    const calls = first.choices[0].message.tool_calls ?? [];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(first.choices[0].message.content).toBeNull();
    expect(calls.map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_weather', { city: 'Rome' }],
    ]);
    expect(calls[0].id).not.toBe(calls[1].id);
    expect(calls.map((c) => c.id)).toEqual((again.choices[0].message.tool_calls ?? []).map((c) => c.id));
    expect(thoughtSignatureOf(calls[0].id)).toBe('CiQBVKhc7');
    expect(thoughtSignatureOf(calls[1].id)).toBeUndefined();
    expect(first.usage).toEqual({
      prompt_tokens: 50,
      completion_tokens: 35,
      total_tokens: 85,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 25 },
    });
  });

  it('reports cached prompt tokens, which Gemini already counts inside promptTokenCount', () => {
    expect(toOpenAIUsage({ promptTokenCount: 1000, cachedContentTokenCount: 800, candidatesTokenCount: 10, totalTokenCount: 1010 })).toEqual({
      prompt_tokens: 1000,
      completion_tokens: 10,
      total_tokens: 1010,
      prompt_tokens_details: { cached_tokens: 800 },
    });
  });

  it('returns one choice per candidate and thought summaries as reasoning_content', () => {
    const completion = geminiAdapter.parseChatResponse(
      {
        candidates: [
          { content: { role: 'model', parts: [{ text: 'thinking…', thought: true }, { text: 'A' }] }, finishReason: 'STOP', index: 0 },
          { content: { role: 'model', parts: [{ text: 'B' }] }, finishReason: 'MAX_TOKENS', index: 1 },
        ],
      },
      call,
    );
    expect(completion.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'A', 'stop'],
      [1, 'B', 'length'],
    ]);
    expect(completion.choices[0].message.reasoning_content).toBe('thinking…');
  });

  it('answers a blocked prompt with an empty content_filter choice', () => {
    const completion = geminiAdapter.parseChatResponse(
      { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } },
      call,
    );
    expect(completion.choices).toEqual([{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter', logprobs: null }]);
  });

  it.each([
    ['STOP', false, 'stop'],
    ['MAX_TOKENS', false, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'stop'],
    ['OTHER', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    [undefined, false, null],
  ] as const)('maps finishReason %s (function calls: %s) to %s', (reason, calls, finish) => {
    expect(toFinishReason(reason, calls)).toBe(finish);
  });

  it('rejects a body without candidates as a retryable bad upstream response', () => {
    expect(() => geminiAdapter.parseChatResponse({ foo: 1 }, call)).toThrow(UpstreamFailure);
  });
});
