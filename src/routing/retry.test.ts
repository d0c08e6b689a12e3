import { AttemptFailure } from './attempt-failure';
import { backoffDelay, retryDelay } from './retry';

const policy = { attempts: 3, backoffMs: 100, maxBackoffMs: 1000 };

function failure(status: number, extra: { retryAfterMs?: number; retryable?: boolean } = {}) {
  return new AttemptFailure(
    'status',
    { status, type: 'upstream_error', code: null, message: 'x', retryable: extra.retryable ?? true, retryAfterMs: extra.retryAfterMs },
    status,
  );
}

describe('retryDelay', () => {
  test('full jitter: a random wait up to base × 2^(try-1), capped', () => {
    expect(backoffDelay(policy, 1, () => 0.999)).toBe(99);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(200);
    expect(backoffDelay(policy, 10, () => 0.999)).toBe(999);
    expect(backoffDelay(policy, 2, () => 0)).toBe(0);
  });

  test("the upstream's Retry-After replaces the backoff when it fits under the cap", () => {
    expect(retryDelay(policy, failure(429, { retryAfterMs: 700 }), 1)).toBe(700);
  });

  test('a Retry-After above the cap means: move on, do not sleep', () => {
    expect(retryDelay(policy, failure(429, { retryAfterMs: 30_000 }), 1)).toBeUndefined();
  });

  test('no retry after the last attempt, nor for a client error', () => {
    expect(retryDelay(policy, failure(500), 3)).toBeUndefined();
    expect(retryDelay(policy, failure(400, { retryable: false }), 1)).toBeUndefined();
  });
});
