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
});
