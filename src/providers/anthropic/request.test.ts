import { UpstreamFailure } from '../../upstream/http-spec';
import { upstreamCall } from '../../testing/upstream-call';
import type { ChatRequest } from '../openai-types';
import { anthropicAdapter } from './index';
import { defaultMaxTokens, toAnthropicRequest } from './request';

const provider = { dropParams: [], options: {} };

describe('anthropic request translation', () => {
  it('sends x-api-key and anthropic-version to the messages endpoint', () => {
    const call = upstreamCall({
      api: 'anthropic',
      model: 'claude-sonnet-4-5',
      apiKey: 'sk-ant-1',
      baseUrl: 'https://api.anthropic.com/v1',
      headers: { 'x-team': 'a' },
    });
    const spec = anthropicAdapter.buildChatRequest({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] }, call);
    expect(spec.method).toBe('POST');
    expect(spec.url).toBe('https://api.anthropic.com/v1/messages');
    expect(spec.headers).toMatchObject({ 'x-api-key': 'sk-ant-1', 'anthropic-version': '2023-06-01', 'content-type': 'application/json', 'x-team': 'a' });
    expect(spec.headers.authorization).toBeUndefined();
  });

  it('uses the provider version option and falls back to the public base URL', () => {
    const call = upstreamCall({ api: 'anthropic', model: 'm', options: { version: '2024-01-01' } });
    const spec = anthropicAdapter.buildChatRequest({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }, call);
    expect(spec.url).toBe('https://api.anthropic.com/v1/messages');
    expect(spec.headers['anthropic-version']).toBe('2024-01-01');
  });

  it('lifts system and developer messages to the top-level system field', () => {
    const out = toAnthropicRequest(
      {
        model: 'claude-sonnet-4-5',
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          { role: 'user', content: 'Hello' },
        ],
      },
      provider,
    );
    expect(out.system).toEqual([
      { type: 'text', text: 'You are terse.' },
      { type: 'text', text: 'Answer in French.' },
    ]);
    expect(out.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }]);
    expect(out.messages.some((m) => (m.role as string) === 'system')).toBe(false);
  });

  it('supplies max_tokens from the model family when the client omitted it', () => {
    expect(toAnthropicRequest({ model: 'claude-3-5-haiku-20241022', messages: [{ role: 'user', content: 'x' }] }, provider).max_tokens).toBe(8192);
    expect(toAnthropicRequest({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] }, provider).max_tokens).toBe(64000);
    expect(toAnthropicRequest({ model: 'some-new-model', messages: [{ role: 'user', content: 'x' }] }, provider).max_tokens).toBe(4096);
    expect(defaultMaxTokens('some-new-model', { max_tokens_default: 1000 })).toBe(1000);
  });

  it('prefers max_completion_tokens, then max_tokens', () => {
    const base: ChatRequest = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] };
    expect(toAnthropicRequest({ ...base, max_tokens: 50 }, provider).max_tokens).toBe(50);
    expect(toAnthropicRequest({ ...base, max_tokens: 50, max_completion_tokens: 70 }, provider).max_tokens).toBe(70);
  });

  it('maps sampling parameters and drops OpenAI-only fields Anthropic would reject', () => {
    const out = toAnthropicRequest(
      {
        model: 'claude-sonnet-4-5',
        messages: [{ role: 'user', content: 'x' }],
        temperature: 1.6,
        top_p: 0.9,
        stop: 'END',
        user: 'user-42',
        presence_penalty: 0.5,
        logit_bias: { 50256: -100 },
        seed: 7,
        top_k: 40,
      },
      provider,
    );
    expect(out).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 64000,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
      temperature: 1,
      top_p: 0.9,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-42' },
      top_k: 40,
    });
  });

  it('removes drop_params before translating', () => {
    const out = toAnthropicRequest(
      { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 0.5, top_p: 0.5 },
      { dropParams: ['top_p'], options: {} },
    );
    expect(out.temperature).toBe(0.5);
    expect(out.top_p).toBeUndefined();
  });

  it('merges consecutive messages of the same role', () => {
    const out = toAnthropicRequest(
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'one' },
          { role: 'user', content: [{ type: 'text', text: 'two' }] },
          { role: 'assistant', content: 'three' },
          { role: 'assistant', content: '' },
          { role: 'user', content: 'four' },
        ],
      },
      provider,
    );
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'three' }] },
      { role: 'user', content: [{ type: 'text', text: 'four' }] },
    ]);
  });

  it('turns data URLs and http URLs into image blocks', () => {
    const out = toAnthropicRequest(
      {
        model: 'm',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
            ],
          },
        ],
      },
      provider,
    );
    expect(out.messages[0].content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('keeps cache_control markers on content parts for prompt caching', () => {
    const out = toAnthropicRequest(
      {
        model: 'm',
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'long policy', cache_control: { type: 'ephemeral' } }] },
          { role: 'user', content: 'q' },
        ],
      },
      provider,
    );
    expect(out.system).toEqual([{ type: 'text', text: 'long policy', cache_control: { type: 'ephemeral' } }]);
  });

  it('translates tools, tool_choice and parallel_tool_calls', () => {
    const tools: ChatRequest['tools'] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
      { type: 'function', function: { name: 'now' } },
    ];
    const base: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'x' }], tools };
    const out = toAnthropicRequest(base, provider);
    expect(out.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather for a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ]);
    expect(out.tool_choice).toBeUndefined();
    expect(toAnthropicRequest({ ...base, tool_choice: 'auto' }, provider).tool_choice).toEqual({ type: 'auto' });
    expect(toAnthropicRequest({ ...base, tool_choice: 'required' }, provider).tool_choice).toEqual({ type: 'any' });
    expect(toAnthropicRequest({ ...base, tool_choice: 'none' }, provider).tool_choice).toEqual({ type: 'none' });
    expect(toAnthropicRequest({ ...base, tool_choice: { type: 'function', function: { name: 'now' } } }, provider).tool_choice).toEqual({
      type: 'tool',
      name: 'now',
    });
    expect(toAnthropicRequest({ ...base, parallel_tool_calls: false }, provider).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
  });

  it('turns assistant tool_calls into tool_use blocks and tool messages into one user turn of tool_result blocks', () => {
    const out = toAnthropicRequest(
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: 'Checking both.',
            tool_calls: [
              { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
          { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '24C' }] },
          { role: 'user', content: 'Which is warmer?' },
        ],
      },
      provider,
    );
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: '24C' },
          { type: 'text', text: 'Which is warmer?' },
        ],
      },
    ]);
  });

  it('sends an empty input object for a tool call without arguments', () => {
    const out = toAnthropicRequest(
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'time?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'now', arguments: '' } }] },
          { role: 'tool', tool_call_id: 't', content: 'noon' },
        ],
      },
      provider,
    );
    expect(out.messages[1].content).toEqual([{ type: 'tool_use', id: 't', name: 'now', input: {} }]);
  });

  it('rejects what Anthropic cannot express with a non-retryable 400', () => {
    const bad = (body: Partial<ChatRequest>) => () => toAnthropicRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...body }, provider);
    expect(bad({ n: 2 })).toThrow(UpstreamFailure);
    try {
      bad({ n: 2 })();
    } catch (e) {
      expect((e as UpstreamFailure).info).toMatchObject({ status: 400, type: 'invalid_request_error', retryable: false });
    }
    expect(
      bad({ messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] }),
    ).toThrow(/not valid JSON/);
    expect(bad({ messages: [{ role: 'tool', content: 'x' }] })).toThrow(/tool_call_id/);
    expect(bad({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] })).toThrow(/input_audio/);
  });

  it('asks for a stream exactly when the call streams', () => {
    const body: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } };
    const streamed = JSON.parse(anthropicAdapter.buildChatRequest(body, upstreamCall({ api: 'anthropic', model: 'm', stream: true })).body ?? '{}');
    expect(streamed.stream).toBe(true);
    expect(streamed.stream_options).toBeUndefined();
    const plain = JSON.parse(anthropicAdapter.buildChatRequest({ ...body, stream: false }, upstreamCall({ api: 'anthropic', model: 'm' })).body ?? '{}');
    expect(plain.stream).toBeUndefined();
  });
});
