import { upstreamCall } from '../../testing/upstream-call';
import { UpstreamFailure } from '../../upstream/http-spec';
import { anthropicAdapter } from './index';
import { toFinishReason, toOpenAIUsage } from './response';

const call = upstreamCall({ api: 'anthropic', model: 'claude-sonnet-4-5' });

// Shaped after the Messages API reference: a text block followed by a tool_use block.
const toolUseMessage = {
  id: 'msg_01Aq9w938a90dw8q',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [
    { type: 'text', text: 'I will look that up.' },
    { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'celsius' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 2095, output_tokens: 503, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
};

describe('anthropic response translation', () => {
  it('turns text and tool_use blocks into content and tool_calls with JSON string arguments', () => {
    const completion = anthropicAdapter.parseChatResponse(toolUseMessage, call);
    expect(completion).toMatchObject({
      id: 'msg_01Aq9w938a90dw8q',
      object: 'chat.completion',
      model: 'claude-sonnet-4-5-20250929',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: 'I will look that up.',
            tool_calls: [
              {
                id: 'toolu_01A09q90qw90lq917835lq9',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
              },
            ],
          },
        },
      ],
      usage: { prompt_tokens: 2095, completion_tokens: 503, total_tokens: 2598, prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect(typeof completion.created).toBe('number');
  });

  it('gives null content when the answer is only tool calls, and exposes thinking as reasoning_content', () => {
    const completion = anthropicAdapter.parseChatResponse(
      {
        ...toolUseMessage,
        content: [{ type: 'thinking', thinking: 'The user wants weather.', signature: 'sig' }, toolUseMessage.content[1]],
      },
      call,
    );
    expect(completion.choices[0].message.content).toBeNull();
    expect(completion.choices[0].message.reasoning_content).toBe('The user wants weather.');
  });

  it('counts cache reads and writes inside prompt_tokens, reads as cached_tokens and writes as cache_write_tokens', () => {
    expect(toOpenAIUsage({ input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200 })).toEqual({
      prompt_tokens: 1210,
      completion_tokens: 5,
      total_tokens: 1215,
      prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 200, cache_write_1h_tokens: 0 },
    });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'stop'],
  ])('maps stop_reason %s to finish_reason %s', (stop, finish) => {
    expect(toFinishReason(stop)).toBe(finish);
  });

  it('rejects a body that is not a message as a retryable bad upstream response', () => {
    expect(() => anthropicAdapter.parseChatResponse({ hello: 'world' }, call)).toThrow(UpstreamFailure);
    try {
      anthropicAdapter.parseChatResponse(null, call);
    } catch (e) {
      expect((e as UpstreamFailure).info).toMatchObject({ status: 502, retryable: true, code: 'bad_upstream_response' });
    }
  });
});
