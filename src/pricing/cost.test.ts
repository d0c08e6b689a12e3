import { billedTokens, costOfUsage, costPico } from './cost';
import type { ModelPrice } from './price-table';
import type { Usage } from '../providers/openai-types';

// Claude Sonnet 4 (USD per 1M): input 3, output 15, cache read 0.3, 5-minute write 3.75, 1-hour write 6.
const sonnet4: ModelPrice = { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75, cache_write_1h: 6 };
// Gemini 2.5 Pro: 1.25 / 10 up to 200k prompt tokens, 2.5 / 15 above.
const gemini25pro: ModelPrice = {
  input: 1.25,
  output: 10,
  cached_input: 0.31,
  tiers: [{ above_tokens: 200_000, input: 2.5, output: 15, cached_input: 0.625 }],
};

function usage(prompt: number, completion: number, details: Usage['prompt_tokens_details'] = {}, reasoning?: number): Usage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: details,
    ...(reasoning === undefined ? {} : { completion_tokens_details: { reasoning_tokens: reasoning } }),
  };
}

describe('costPico: the exact bill in pico-dollars', () => {
  it.each<[string, ModelPrice, Usage, number]>([
    // 1000 × 2.5 + 200 × 10 µ$ = 4500 µ$
    ['plain input and output', { input: 2.5, output: 10 }, usage(1000, 200), 4_500_000_000],
    // 100 × 3 + 2000 × 0.3 + 1000 × 3.75 + 200 × 15 µ$ = 7650 µ$ (the case)
    ['cache reads and 5-minute writes', sonnet4, usage(3100, 200, { cached_tokens: 2000, cache_write_tokens: 1000 }), 7_650_000_000],
    // 100 × 3 + 500 × 0.3 + 1000 × 6 + 200 × 15 µ$ = 9450 µ$
    ['cache reads and 1-hour writes', sonnet4, usage(1600, 200, { cached_tokens: 500, cache_write_tokens: 1000, cache_write_1h_tokens: 1000 }), 9_450_000_000],
    // 0 × 3 + 500 × 0.3 + 1000 × 6 µ$ = 6150 µ$, + 0 output
    ['1-hour writes alone', sonnet4, usage(1500, 0, { cached_tokens: 500, cache_write_tokens: 1000, cache_write_1h_tokens: 1000 }), 6_150_000_000],
    // reasoning is inside completion_tokens: 1000 × 2.5 + 700 × 10 µ$
    ['reasoning billed as output, once', { input: 2.5, output: 10 }, usage(1000, 700, {}, 500), 9_500_000_000],
    // 200,000 is not above the threshold: 200000 × 1.25 + 1000 × 10 µ$
    ['a prompt at the tier threshold', gemini25pro, usage(200_000, 1000), 260_000_000_000],
    // 200,001 is: every token at the tier, 200001 × 2.5 + 1000 × 15 µ$
    ['a prompt above the tier threshold', gemini25pro, usage(200_001, 1000), 515_002_500_000],
    // cache reads count toward the threshold, and are priced at the tier's cached price: 100001 × 2.5 + 100000 × 0.625 + 10 × 15
    ['cache reads count toward the threshold', gemini25pro, usage(200_001, 10, { cached_tokens: 100_000 }), 312_652_500_000],
  ])('%s', (_name, price, u, pico) => {
    expect(costPico(price, u)).toBe(pico);
    expect(Number.isSafeInteger(costPico(price, u))).toBe(true);
  });

  it('falls back: cache reads and writes to input, 1-hour writes to the 5-minute write price', () => {
    expect(costPico({ input: 1, output: 1 }, usage(30, 0, { cached_tokens: 10, cache_write_tokens: 10, cache_write_1h_tokens: 5 }))).toBe(30_000_000);
    expect(costPico({ input: 1, output: 1, cache_write: 2 }, usage(10, 0, { cache_write_tokens: 10, cache_write_1h_tokens: 10 }))).toBe(20_000_000);
  });

  it('reads Anthropic’s cache_creation_input_tokens when an adapter passed it along unchanged', () => {
    expect(costPico(sonnet4, { prompt_tokens: 1100, completion_tokens: 0, total_tokens: 1100, cache_creation_input_tokens: 1000 })).toBe(4_050_000_000);
  });

  it('sums exactly: 50,000 requests at 20.475 µ$ are $1.02375, to the pico-dollar', () => {
    // 50 × 0.15 + 5 × 0.075 + 21 × 0.6 µ$ = 20.475 µ$
    const one = costPico({ input: 0.15, output: 0.6, cached_input: 0.075 }, usage(55, 21, { cached_tokens: 5 }));
    expect(one).toBe(20_475_000);
    let total = 0;
    for (let i = 0; i < 50_000; i++) total += one;
    expect(total).toBe(1_023_750_000_000);
  });

  it('splits usage into billed classes without ever going negative', () => {
    expect(billedTokens(usage(10, 5, { cached_tokens: 4, cache_write_tokens: 50, cache_write_1h_tokens: 70 }, 9))).toEqual({
      input: 0,
      cachedInput: 4,
      cacheWrite: 0,
      cacheWrite1h: 6,
      output: 5,
      reasoning: 5,
    });
  });

  it('keeps costOfUsage as the same figure in USD', () => {
    expect(costOfUsage(sonnet4, usage(3100, 200, { cached_tokens: 2000, cache_write_tokens: 1000 }))).toBe(0.00765);
  });
});
