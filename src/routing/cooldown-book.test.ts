import { CooldownBook } from './cooldown-book';

const policy = { failures: 3, windowMs: 10_000, durationMs: 5_000 };

function bookAt(start = 1_000_000) {
  let now = start;
  const book = new CooldownBook(() => now);
  return { book, advance: (ms: number) => (now += ms) };
}

describe('CooldownBook', () => {
  test('a target trips only after `failures` failures inside the window', () => {
    const { book, advance } = bookAt();
    book.recordFailure('t', policy, 'HTTP 500');
    advance(11_000); // the first failure leaves the window
    book.recordFailure('t', policy, 'HTTP 500');
    book.recordFailure('t', policy, 'HTTP 500');
    expect(book.admit('t')).toBe('closed');
    book.recordFailure('t', policy, 'HTTP 500');
    expect(book.admit('t')).toBe('skip');
    expect(book.describe()).toEqual([{ target: 't', state: 'cooling_down', remaining_s: 5, reason: expect.stringContaining('3 failures') }]);
  });

  test('after the cooldown exactly one probe is let through; its success closes the breaker', () => {
    const { book, advance } = bookAt();
    book.coolFor('t', 5_000, 'rate limited');
    advance(5_000);
    expect(book.describe()[0].state).toBe('half_open');
    expect(book.admit('t')).toBe('probe');
    expect(book.admit('t')).toBe('skip'); // a second request while the probe is out
    book.recordSuccess('t');
    expect(book.admit('t')).toBe('closed');
    expect(book.describe()).toEqual([]);
  });

  test('a failed probe reopens the breaker for the same duration at once', () => {
    const { book, advance } = bookAt();
    book.coolFor('t', 5_000, 'x');
    advance(5_000);
    expect(book.admit('t')).toBe('probe');
    book.recordFailure('t', undefined, 'HTTP 503');
    expect(book.admit('t')).toBe('skip');
    expect(book.remainingMs('t')).toBe(5_000);
  });

  test('a probe that ends without a verdict lets the next request probe', () => {
    const { book, advance } = bookAt();
    book.coolFor('t', 1_000, 'x');
    advance(1_000);
    expect(book.admit('t')).toBe('probe');
    book.releaseProbe('t');
    expect(book.admit('t')).toBe('probe');
  });

  test('a late success from before the trip does not cut a cooldown short', () => {
    const { book } = bookAt();
    book.coolFor('t', 30_000, 'Retry-After: 30');
    book.recordSuccess('t');
    expect(book.admit('t')).toBe('skip');
  });

  test('without a breaker policy, failures are not counted', () => {
    const { book } = bookAt();
    for (let i = 0; i < 10; i++) book.recordFailure('t', undefined, 'HTTP 500');
    expect(book.admit('t')).toBe('closed');
  });
});
