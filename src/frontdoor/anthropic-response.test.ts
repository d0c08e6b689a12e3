import { GatewayError } from '../errors';
import { anthropicErrorType, completionToAnthropicMessage, toAnthropicErrorBody, toAnthropicUsage, toStopReason } from './anthropic-response';
import { toOpenAIUsage } from '../providers/anthropic/response';

describe('front door: OpenAI completion → Anthropic message', () => {
  it('turns content and tool_calls into text and tool_use blocks with object input', () => {
    const msg = completionToAnthropicMessage(
      {
        id: 'chatcmpl-abc',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-mini-2024-07-18',
        choices: [
          {
            index: 0,
            finish_reason: 'tool_calls',
            message: {
              role: 'assistant',
              content: 'Let me check.',
              tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
            },
          },
        ],
        usage: { prompt_tokens: 130, completion_tokens: 20, total_tokens: 150, prompt_tokens_details: { cached_tokens: 100 } },
      },
      'fast',
    );
    expect(msg).toEqual({
      id: 'msg_abc',
      type: 'message',
      role: 'assistant',
      model: 'fast',
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 30,
        output_tokens: 20,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      },
    });
  });

  it('never returns an empty content array', () => {
    const msg = completionToAnthropicMessage(
      {
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'm',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: null } }],
      },
      'fast',
    );
    expect(msg.content).toEqual([{ type: 'text', text: '' }]);
    expect(msg.usage).toEqual({
      input_tokens: 0,
      output_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    });
  });

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['content_filter', 'refusal'],
    [null, 'end_turn'],
  ] as const)('maps finish_reason %s to stop_reason %s', (finish, stop) => {
    expect(toStopReason(finish)).toBe(stop);
  });

  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [503, 'overloaded_error'],
    [504, 'timeout_error'],
  ])('gives status %s the Anthropic error type %s', (status, type) => {
    expect(anthropicErrorType(status)).toBe(type);
  });

  it("renders a gateway error in Anthropic's error shape", () => {
    const err = new GatewayError({ status: 404, code: 'model_not_found', message: 'The model "nope" does not exist on this gateway.' });
    expect(toAnthropicErrorBody(err)).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'The model "nope" does not exist on this gateway.' },
    });
  });
});

describe('front door usage: Anthropic fields rebuilt from the OpenAI usage contract', () => {
  it('gives input_tokens without cache reads and writes, and splits the writes by TTL', () => {
    expect(
      toAnthropicUsage({
        prompt_tokens: 1600,
        completion_tokens: 200,
        total_tokens: 1800,
        prompt_tokens_details: { cached_tokens: 500, cache_write_tokens: 1000, cache_write_1h_tokens: 400 },
      }),
    ).toEqual({
      input_tokens: 100,
      output_tokens: 200,
      cache_read_input_tokens: 500,
      cache_creation_input_tokens: 1000,
      cache_creation: { ephemeral_5m_input_tokens: 600, ephemeral_1h_input_tokens: 400 },
    });
  });

  it('round-trips what an Anthropic backend reported, and carries the cost-log plugin’s cost_usd', () => {
    const reported = {
      input_tokens: 100,
      output_tokens: 200,
      cache_read_input_tokens: 2000,
      cache_creation_input_tokens: 1000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 0 },
    };
    expect(toAnthropicUsage({ ...toOpenAIUsage(reported), cost_usd: 0.00765 })).toEqual({ ...reported, cost_usd: 0.00765 });
  });

  it('never reports negative counts for details larger than the prompt', () => {
    const usage = toAnthropicUsage({
      prompt_tokens: 10,
      completion_tokens: 1,
      total_tokens: 11,
      prompt_tokens_details: { cached_tokens: 8, cache_write_tokens: 50, cache_write_1h_tokens: 99 },
    });
    expect(usage).toMatchObject({
      input_tokens: 0,
      cache_read_input_tokens: 8,
      cache_creation_input_tokens: 2,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 2 },
    });
  });
});
