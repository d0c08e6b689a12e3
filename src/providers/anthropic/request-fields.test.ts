import { upstreamCall } from '../../testing/upstream-call';
import { anthropicAdapter, anthropicApiRoot } from './index';
import { thinkingFor, toAnthropicRequest } from './request';

const provider = { dropParams: [], options: {} };
const hi = [{ role: 'user' as const, content: 'Hi' }];

describe('anthropic request: fields OpenAI has and Anthropic does not', () => {
  it('keeps only user_id of OpenAI metadata, and lets user win', () => {
    expect(toAnthropicRequest({ model: 'm', messages: hi, metadata: { team: 'a', user_id: 'u1' } }, provider).metadata).toEqual({ user_id: 'u1' });
    expect(toAnthropicRequest({ model: 'm', messages: hi, metadata: { team: 'a' } }, provider).metadata).toBeUndefined();
    expect(toAnthropicRequest({ model: 'm', messages: hi, user: 'alice', metadata: { user_id: 'bob' } }, provider).metadata).toEqual({ user_id: 'alice' });
  });

  it("sends service_tier only as Anthropic's own values", () => {
    expect(toAnthropicRequest({ model: 'm', messages: hi, service_tier: 'flex' }, provider).service_tier).toBeUndefined();
    expect(toAnthropicRequest({ model: 'm', messages: hi, service_tier: 'auto' }, provider).service_tier).toBe('auto');
  });

  it('sends none of store, logit_bias, prediction, modalities, audio, seed, logprobs', () => {
    const out = toAnthropicRequest(
      { model: 'm', messages: hi, store: true, logit_bias: { 1: 2 }, prediction: {}, modalities: ['text'], audio: {}, seed: 1, logprobs: true },
      provider,
    );
    expect(Object.keys(out).sort()).toEqual(['max_tokens', 'messages', 'model']);
  });

  it('turns json_schema into output_config.format, closing open objects as Anthropic requires', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' }, items: { type: 'array', items: { type: 'object', properties: {} } } } };
    const out = toAnthropicRequest({ model: 'm', messages: hi, response_format: { type: 'json_schema', json_schema: { name: 'x', schema } } }, provider);
    expect(out.output_config).toEqual({
      format: {
        type: 'json_schema',
        schema: {
          type: 'object',
          additionalProperties: false,
          properties: { a: { type: 'string' }, items: { type: 'array', items: { type: 'object', properties: {}, additionalProperties: false } } },
        },
      },
    });
  });
});

describe('anthropic request: reasoning', () => {
  it.each([
    ['minimal', 64000, 1024],
    ['low', 64000, 2048],
    ['medium', 64000, 8192],
    ['high', 64000, 16384],
    ['high', 5000, 4999],
  ])('reasoning_effort %s with max_tokens %i is a budget of %i', (effort, max, budget) => {
    expect(thinkingFor(effort, max)).toEqual({ type: 'enabled', budget_tokens: budget });
  });

  it('asks for no thinking for none, an unknown effort, or no room under max_tokens', () => {
    expect(thinkingFor('none', 64000)).toBeUndefined();
    expect(thinkingFor('constructor', 64000)).toBeUndefined();
    expect(thinkingFor('high', 1024)).toBeUndefined();
  });

  it("keeps the client's own thinking over reasoning_effort, and leaves out sampling Anthropic refuses with thinking", () => {
    const out = toAnthropicRequest(
      { model: 'm', messages: hi, thinking: { type: 'enabled', budget_tokens: 3000 }, reasoning_effort: 'high', temperature: 0.5, top_k: 5, top_p: 0.9 },
      provider,
    );
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 3000 });
    expect(out.temperature).toBeUndefined();
    expect(out.top_k).toBeUndefined();
    expect(out.top_p).toBeUndefined();
  });

  it('puts signed reasoning back as a thinking block before the text and tool use; unsigned reasoning is not sent', () => {
    const out = toAnthropicRequest(
      {
        model: 'm',
        messages: [
          ...hi,
          { role: 'assistant', content: 'ok', reasoning_content: 'because', reasoning_signature: 'sig' },
          { role: 'user', content: 'more' },
          { role: 'assistant', content: 'fine', reasoning_content: 'from elsewhere' },
        ],
      },
      provider,
    );
    expect(out.messages[1].content).toEqual([
      { type: 'thinking', thinking: 'because', signature: 'sig' },
      { type: 'text', text: 'ok' },
    ]);
    expect(out.messages[3].content).toEqual([{ type: 'text', text: 'fine' }]);
  });
});

describe('anthropic request: ids and base_url', () => {
  it('replaces tool-call ids Anthropic refuses by one stable id for the call and its result', () => {
    const id = 'call_abc__thought__c2ln+/=';
    const out = toAnthropicRequest(
      {
        model: 'm',
        messages: [
          ...hi,
          { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: id, content: 'r' },
        ],
      },
      provider,
    );
    const use = out.messages[1].content[0] as { id: string };
    const result = out.messages[2].content[0] as { tool_use_id: string };
    expect(use.id).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(result.tool_use_id).toBe(use.id);
  });

  it.each([
    ['https://api.anthropic.com', 'https://api.anthropic.com/v1'],
    ['https://api.anthropic.com/', 'https://api.anthropic.com/v1'],
    ['https://api.anthropic.com/v1', 'https://api.anthropic.com/v1'],
    ['https://proxy.example/anthropic', 'https://proxy.example/anthropic/v1'],
  ])('base_url %s is the API root %s', (base, root) => {
    expect(anthropicApiRoot(base)).toBe(root);
    const spec = anthropicAdapter.buildChatRequest({ model: 'm', messages: hi }, upstreamCall({ api: 'anthropic', model: 'm', baseUrl: base }));
    expect(spec.url).toBe(`${root}/messages`);
  });
});
