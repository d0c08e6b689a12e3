import { billedTokens, costOfUsage } from './cost';
import { estimateChatPromptTokens, estimateRequestTokens } from './estimate-tokens';
import { buildPriceTable, lookupPrice, type ModelPrice } from './price-table';

const table = buildPriceTable({ 'deepseek-chat': { input: 0.27, output: 1.1, cached_input: 0.07 } });

function price(model: string): ModelPrice {
  const p = lookupPrice(table, model);
  if (!p) throw new Error(`no price for ${model}`);
  return p;
}

describe('price table', () => {
  it('has the models people use today, with a context window each', () => {
    for (const model of [
      'gpt-4o',
      'gpt-4o-mini',
      'claude-haiku-4-5',
      'claude-sonnet-4-5',
      'gemini-2.0-flash',
      'deepseek-chat',
      'deepseek-reasoner',
      'qwen-plus',
      'mistral-small-latest',
    ]) {
      expect(price(model).context_window).toBeGreaterThan(0);
    }
  });

  it('lets config entries override built-in prices and add new models', () => {
    const custom = buildPriceTable({ 'gpt-4o': { input: 1, output: 2 }, 'my-model': { input: 3, output: 4 } });
    expect(lookupPrice(custom, 'gpt-4o')).toEqual({ input: 1, output: 2, context_window: 128000, max_output: 16384 });
    expect(lookupPrice(custom, 'my-model')).toEqual({ input: 3, output: 4 });
  });

  it('finds dated and vendor-prefixed model names, but never guesses an unknown model', () => {
    expect(lookupPrice(table, 'claude-sonnet-4-5-20250929')).toEqual(price('claude-sonnet-4-5'));
    expect(lookupPrice(table, 'openai/gpt-4o')).toBe(price('gpt-4o'));
    expect(lookupPrice(table, 'GPT-4o-Mini')).toBe(price('gpt-4o-mini'));
    expect(lookupPrice(table, 'gpt-4o-2024-05-13')?.input).toBe(5);
    expect(lookupPrice(table, 'totally-new-model')).toBeUndefined();
  });
});

describe('cost of a request', () => {
  // Hand-computed: tokens × USD-per-1M = micro-dollars.
  const cases: { name: string; model: string; usage: Parameters<typeof costOfUsage>[1]; usd: number }[] = [
    {
      name: 'plain gpt-4o: 1000×2.5 + 200×10 = 4500 µ$',
      model: 'gpt-4o',
      usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 },
      usd: 0.0045,
    },
    {
      name: 'gpt-4o-mini with 1500 cached: 500×0.15 + 1500×0.075 + 300×0.6 = 367.5 µ$',
      model: 'gpt-4o-mini',
      usage: { prompt_tokens: 2000, completion_tokens: 300, total_tokens: 2300, prompt_tokens_details: { cached_tokens: 1500 } },
      usd: 0.0003675,
    },
    {
      name: 'deepseek-chat (config price): 234×0.27 + 1000×0.07 + 567×1.1 = 756.88 µ$',
      model: 'deepseek-chat',
      usage: { prompt_tokens: 1234, completion_tokens: 567, total_tokens: 1801, prompt_tokens_details: { cached_tokens: 1000 } },
      usd: 0.00075688,
    },
    {
      name: 'claude sonnet with cache reads and writes: 500×3 + 1000×0.3 + 1500×3.75 + 100×15 = 8925 µ$',
      model: 'claude-sonnet-4-5',
      usage: { prompt_tokens: 3000, completion_tokens: 100, total_tokens: 3100, prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 1500 } },
      usd: 0.008925,
    },
    {
      name: 'deepseek-reasoner, 7 in / 13 out: 7×0.14 + 13×0.28 = 4.62 µ$',
      model: 'deepseek-reasoner',
      usage: { prompt_tokens: 7, completion_tokens: 13, total_tokens: 20 },
      usd: 0.00000462,
    },
    { name: 'zero usage costs zero', model: 'gpt-4o', usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, usd: 0 },
  ];
  it.each(cases)('$name', ({ model, usage, usd }) => {
    expect(costOfUsage(price(model), usage)).toBe(usd);
  });

  it('bills cached tokens at the input price when the model has no cached price', () => {
    expect(
      costOfUsage({ input: 1, output: 1 }, { prompt_tokens: 10, completion_tokens: 0, total_tokens: 10, prompt_tokens_details: { cached_tokens: 4 } }),
    ).toBe(0.00001);
  });

  it('never counts more cached tokens than prompt tokens', () => {
    expect(billedTokens({ prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_tokens_details: { cached_tokens: 50 } })).toEqual({
      input: 0,
      cachedInput: 10,
      cacheWrite: 0,
      cacheWrite1h: 0,
      output: 1,
      reasoning: 0,
    });
  });
});

describe('token estimate', () => {
  it('counts about four characters per token plus message framing', () => {
    expect(estimateChatPromptTokens({ model: 'chat', messages: [{ role: 'user', content: 'Hello there!' }] })).toBe(3 + 4 + 3);
  });

  it('adds the completion budget the request asked for, or the default', () => {
    const body = { model: 'chat', messages: [{ role: 'user' as const, content: 'x'.repeat(40) }] };
    expect(estimateRequestTokens({ ...body, max_tokens: 100 }, 256)).toBe(3 + 4 + 10 + 100);
    expect(estimateRequestTokens(body, 256)).toBe(3 + 4 + 10 + 256);
  });
});
