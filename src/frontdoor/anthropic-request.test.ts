import { GatewayError } from '../errors';
import { anthropicToChatRequest, validateAnthropicRequest } from './anthropic-request';

describe('front door: Anthropic request → OpenAI chat request', () => {
  it('rejects a request without max_tokens the way Anthropic does', () => {
    expect(() => validateAnthropicRequest({ model: 'fast', messages: [{ role: 'user', content: 'Hi' }] })).toThrow('max_tokens: Field required');
  });

  it("rejects a system role inside messages with Anthropic's wording", () => {
    let err: GatewayError | undefined;
    try {
      validateAnthropicRequest({ model: 'fast', max_tokens: 10, messages: [{ role: 'system', content: 'x' }] });
    } catch (e) {
      err = e as GatewayError;
    }
    expect(err?.status).toBe(400);
    expect(err?.message).toMatch(/Unexpected role "system"/);
  });

  it('rejects a missing model and non-array messages', () => {
    expect(() => validateAnthropicRequest({ max_tokens: 10, messages: [] })).toThrow(/model/);
    expect(() => validateAnthropicRequest({ model: 'm', max_tokens: 10, messages: 'hi' })).toThrow(/messages/);
    expect(() => validateAnthropicRequest({ model: 'm', max_tokens: 0, messages: [] })).toThrow(/max_tokens/);
  });

  it('moves system to a leading system message and maps sampling fields', () => {
    const out = anthropicToChatRequest(
      validateAnthropicRequest({
        model: 'fast',
        max_tokens: 256,
        system: [
          { type: 'text', text: 'Be brief.' },
          { type: 'text', text: 'Use French.' },
        ],
        messages: [{ role: 'user', content: 'Bonjour' }],
        temperature: 0.2,
        top_p: 0.9,
        stop_sequences: ['###'],
        metadata: { user_id: 'u-1' },
      }),
    );
    expect(out).toEqual({
      model: 'fast',
      max_tokens: 256,
      messages: [
        { role: 'system', content: 'Be brief.\n\nUse French.' },
        { role: 'user', content: 'Bonjour' },
      ],
      temperature: 0.2,
      top_p: 0.9,
      stop: ['###'],
      user: 'u-1',
    });
  });

  it('asks for usage when streaming, since message_delta must report it', () => {
    const out = anthropicToChatRequest({ model: 'fast', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    expect(out.stream).toBe(true);
    expect(out.stream_options).toEqual({ include_usage: true });
  });

  it('converts tools and every tool_choice', () => {
    const base = {
      model: 'fast',
      max_tokens: 5,
      messages: [{ role: 'user' as const, content: 'x' }],
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    };
    expect(anthropicToChatRequest(base).tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
    ]);
    expect(anthropicToChatRequest({ ...base, tool_choice: { type: 'auto' } }).tool_choice).toBe('auto');
    expect(anthropicToChatRequest({ ...base, tool_choice: { type: 'any' } }).tool_choice).toBe('required');
    expect(anthropicToChatRequest({ ...base, tool_choice: { type: 'none' } }).tool_choice).toBe('none');
    const forced = anthropicToChatRequest({ ...base, tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true } });
    expect(forced.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(forced.parallel_tool_calls).toBe(false);
    expect(() => anthropicToChatRequest({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search', input_schema: {} }] })).toThrow(
      /only available on Anthropic/,
    );
  });

  it('turns tool_use blocks into tool_calls and tool_result blocks into tool messages placed before new user text', () => {
    const out = anthropicToChatRequest({
      model: 'fast',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Need the tool.', signature: 's' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Thanks!' },
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '18C' }] },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Mars' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'no such city', is_error: true }] },
      ],
    });
    expect(out.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        // Signed thinking goes along, for an Anthropic backend to get back.
        reasoning_content: 'Need the tool.',
        reasoning_signature: 's',
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
      { role: 'user', content: 'Thanks!' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Mars"}' } }] },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: no such city' },
    ]);
  });

  it('turns image blocks into image_url parts', () => {
    const out = anthropicToChatRequest({
      model: 'fast',
      max_tokens: 5,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/x.jpg' } },
            { type: 'text', text: 'Compare.' },
          ],
        },
      ],
    });
    expect(out.messages[0].content).toEqual([
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } },
      { type: 'image_url', image_url: { url: 'https://example.com/x.jpg' } },
      { type: 'text', text: 'Compare.' },
    ]);
  });
});
