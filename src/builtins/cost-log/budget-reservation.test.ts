import { MemorySpendCounters } from '../../stores/spend-counters';
import type { SpendSink } from '../../stores/spend-sink';
import { GatewayError } from '../../errors';
import { BudgetLedger } from './budget-ledger';
import { DEFAULT_MAX_OUTPUT_TOKENS, maxOutputTokens, worstCasePico } from './budget-reservation';

const gpt4o = { input: 2.5, output: 10 };
const hi = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'hi' }] }; // 8 prompt tokens

describe('worst-case cost of an attempt', () => {
  it('is the prompt estimate at the input price plus max_tokens at the output price, in pico-dollars', () => {
    expect(worstCasePico('chat', { ...hi, max_tokens: 100 }, gpt4o, {})).toBe(8 * 2_500_000 + 100 * 10_000_000);
    expect(worstCasePico('chat', { ...hi, max_completion_tokens: 50, max_tokens: 100 }, gpt4o, {})).toBe(8 * 2_500_000 + 50 * 10_000_000);
  });

  it('assumes the configured cap, else the catalog max_output, else 4096 output tokens when the client sets none', () => {
    expect(maxOutputTokens(hi, gpt4o, { defaultMaxOutputTokens: 700 })).toBe(700);
    expect(maxOutputTokens(hi, { ...gpt4o, max_output: 16_384 }, {})).toBe(16_384);
    expect(maxOutputTokens(hi, gpt4o, {})).toBe(DEFAULT_MAX_OUTPUT_TOKENS);
  });

  it("never assumes more than the model's max_output, and counts every choice", () => {
    expect(maxOutputTokens({ ...hi, max_tokens: 1_000_000 }, { ...gpt4o, max_output: 8192 }, {})).toBe(8192);
    expect(maxOutputTokens({ ...hi, max_tokens: 100, n: 3 }, gpt4o, {})).toBe(300);
  });

  it('prices the prompt at the dearest cache write and at the long-context tier it falls in', () => {
    const sonnet = { input: 3, output: 15, cache_write: 3.75, cache_write_1h: 6, tiers: [{ above_tokens: 200_000, input: 6, output: 22.5 }] };
    expect(worstCasePico('chat', { ...hi, max_tokens: 10 }, sonnet, {})).toBe(8 * 6_000_000 + 10 * 15_000_000);
    const long = { ...hi, max_tokens: 10, messages: [{ role: 'user' as const, content: 'x'.repeat(4 * 200_001) }] };
    const prompt = 3 + 4 + 200_001;
    expect(worstCasePico('chat', long, sonnet, {})).toBe(prompt * 6_000_000 + 10 * 22_500_000);
  });

  it('is the input estimate at the input price for embeddings', () => {
    expect(worstCasePico('embeddings', { model: 'e', input: ['abcd', 'efgh'] }, { input: 0.02, output: 0 }, {})).toBe(2 * 20_000);
  });
});

function sink(costSince: () => Promise<number>): SpendSink {
  return { kind: 'test', write: async () => undefined, totals: async () => [], costSince, close: async () => undefined } as unknown as SpendSink;
}

describe('budget ledger', () => {
  const limits = { budgetUsd: 0.01, budgetPeriod: 'daily' as const };

  it('is closed (503) while the spend cannot be restored, and restores on a later request', async () => {
    let down = true;
    let refusals = 0;
    const ledger = new BudgetLedger(new MemorySpendCounters(), { onUnrestored: () => refusals++ });
    const history = sink(async () => {
      if (down) throw new Error('connection refused');
      return 9_000_000_000; // $0.009 already spent
    });
    await expect(ledger.check('team-a', limits, history)).rejects.toMatchObject({ status: 503, code: 'budget_unavailable' });
    await expect(ledger.reserve('team-a', limits, 1, history)).rejects.toMatchObject({ status: 503 });
    expect(refusals).toBe(2);
    down = false;
    await ledger.check('team-a', limits, history);
    const hold = await ledger.reserve('team-a', limits, 2_000_000_000, history);
    await ledger.settle(hold, 1_500_000_000);
    await ledger.settle(hold, 1_500_000_000); // a second settle of one hold adds nothing
    const err: unknown = await ledger.check('team-a', limits, history).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).message).toContain('spent $0.010500');
  });

  it('treats a sink that does not answer within restore_timeout_ms as down', async () => {
    const ledger = new BudgetLedger(new MemorySpendCounters(), { restoreTimeoutMs: 10 });
    await expect(
      ledger.check(
        'team-a',
        limits,
        sink(() => new Promise<number>(() => undefined)),
      ),
    ).rejects.toMatchObject({ status: 503 });
  });
});
