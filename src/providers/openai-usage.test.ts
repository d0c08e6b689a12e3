import { normalisedOpenAIUsage } from './openai-usage';
import { openaiAdapter } from './openai';
import type { UpstreamCall } from './types';
import { upstreamCall } from '../testing/upstream-call';

const call: UpstreamCall = upstreamCall({ api: 'openai', model: 'deepseek-chat', stream: false });

describe('OpenAI-compatible usage normalisation', () => {
  it("copies DeepSeek's prompt_cache_hit_tokens into cached_tokens and keeps DeepSeek's own fields", () => {
    const usage = { prompt_tokens: 1234, completion_tokens: 5, total_tokens: 1239, prompt_cache_hit_tokens: 1000, prompt_cache_miss_tokens: 234 };
    expect(normalisedOpenAIUsage(usage)).toEqual({ ...usage, prompt_tokens_details: { cached_tokens: 1000 } });
  });

  it('leaves usage that already follows the contract alone, so the answer is relayed as it came', () => {
    const json = {
      id: 'x',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o',
      choices: [],
      usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_tokens_details: { cached_tokens: 4 }, prompt_cache_hit_tokens: 4 },
    };
    expect(normalisedOpenAIUsage(json.usage)).toBeUndefined();
    expect(openaiAdapter.parseChatResponse(json, call)).toBe(json);
  });

  it('answers a new object (never the upstream JSON changed in place) when it normalised', () => {
    const json = {
      id: 'x',
      object: 'chat.completion',
      created: 1,
      model: 'deepseek-chat',
      choices: [],
      usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_cache_hit_tokens: 8 },
    };
    const parsed = openaiAdapter.parseChatResponse(json, call);
    expect(parsed).not.toBe(json);
    expect(parsed.usage?.prompt_tokens_details?.cached_tokens).toBe(8);
    expect(json.usage).not.toHaveProperty('prompt_tokens_details');
  });

  it('normalises the usage chunk of a stream too', () => {
    const t = openaiAdapter.createStreamTranslator({ ...call, stream: true });
    const [chunk] = t.push({
      data: JSON.stringify({
        id: 'x',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'deepseek-chat',
        choices: [],
        usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_cache_hit_tokens: 8 },
      }),
    });
    expect(chunk.usage?.prompt_tokens_details?.cached_tokens).toBe(8);
  });
});
