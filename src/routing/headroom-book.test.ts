import { HeadroomBook } from './headroom-book';

const T0 = Date.parse('2026-12-01T12:00:00Z');

describe('HeadroomBook', () => {
  it('shows the last report per model, its reset counted down to now and never below zero', () => {
    const book = new HeadroomBook();
    book.note('gpt-4o', { requests: { limit: 500, remaining: 499, resetMs: 10_000 }, tokens: { remaining: 100 } }, T0);
    expect(book.describe(T0 + 4_000)).toEqual([
      {
        model: 'gpt-4o',
        seen_at: '2026-12-01T12:00:00.000Z',
        budgets: { requests: { limit: 500, remaining: 499, reset_s: 6 }, tokens: { limit: null, remaining: 100, reset_s: null } },
      },
    ]);
    expect(book.describe(T0 + 60_000)[0].budgets.requests?.reset_s).toBe(0);
  });

  it('a newer report replaces the older one; a call without a model is kept under "*"', () => {
    const book = new HeadroomBook();
    book.note('gpt-4o', { requests: { remaining: 10 } }, T0);
    book.note('gpt-4o', { requests: { remaining: 9 } }, T0 + 1);
    book.note(undefined, { requests: { remaining: 3 } }, T0 + 2);
    expect(book.describe(T0 + 2).map((v) => [v.model, v.budgets.requests?.remaining])).toEqual([
      ['gpt-4o', 9],
      ['*', 3],
    ]);
  });

  it('keeps at most 200 models, dropping the one seen longest ago', () => {
    const book = new HeadroomBook();
    for (let i = 0; i < 201; i++) book.note(`m${i}`, { requests: { remaining: i } }, T0 + i);
    const models = book.describe(T0 + 300).map((v) => v.model);
    expect(models).toHaveLength(200);
    expect(models).not.toContain('m0');
    expect(models).toContain('m200');
  });

  it("shares its own reports once (another worker's are not passed on); a peer's report wins only when newer", () => {
    const mine = new HeadroomBook();
    mine.sharing = true;
    mine.note('gpt-4o', { requests: { remaining: 5 } }, T0 + 10);
    expect(mine.report()).toEqual([{ model: 'gpt-4o', at: T0 + 10, headroom: { requests: { remaining: 5 } } }]);
    expect(mine.report()).toEqual([]);
    mine.applyPeer([
      { model: 'gpt-4o', at: T0 + 5, headroom: { requests: { remaining: 9 } } },
      { model: 'gpt-4o-mini', at: T0, headroom: { requests: { remaining: 7 } } },
    ]);
    expect(mine.describe(T0 + 10).map((v) => [v.model, v.budgets.requests?.remaining])).toEqual([
      ['gpt-4o', 5],
      ['gpt-4o-mini', 7],
    ]);
    mine.applyPeer([{ model: 'gpt-4o', at: T0 + 20, headroom: { requests: { remaining: 4 } } }]);
    expect(mine.describe(T0 + 20).find((v) => v.model === 'gpt-4o')?.budgets.requests?.remaining).toBe(4);
    expect(mine.report()).toEqual([]);
  });
});
