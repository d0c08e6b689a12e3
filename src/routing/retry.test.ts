import { AttemptFailure } from './call-target';
import { backoffDelay, isTransient, retryDelay } from './retry';

const policy = { attempts: 3, backoffMs: 100, maxBackoffMs: 1000 };

function failure(upstreamStatus: number, extra: { retryAfterMs?: number; credentialProblem?: boolean; status?: number; retryable?: boolean } = {}, clientAborted = false) {
  return new AttemptFailure(
    { status: extra.status ?? upstreamStatus, type: 'upstream_error', code: null, message: 'x', retryable: extra.retryable ?? true, retryAfterMs: extra.retryAfterMs, credentialProblem: extra.credentialProblem },
    upstreamStatus,
    false,
    clientAborted,
  );
}

describe('isTransient', () => {
  test.each([408, 429, 500, 502, 503, 504, 529])('HTTP %i is worth retrying on the same target', (status) => {
    expect(isTransient(failure(status))).toBe(true);
  });

  test('so are connection errors and timeouts (no HTTP answer), but not a target that cannot serve the endpoint', () => {
    expect(isTransient(failure(0, { status: 502 }))).toBe(true);
    expect(isTransient(failure(0, { status: 504 }))).toBe(true);
    expect(isTransient(failure(0, { status: 400 }))).toBe(false);
  });

  test.each([400, 404, 413, 422])('HTTP %i is not', (status) => {
    expect(isTransient(failure(status, { retryable: status === 404 }))).toBe(false);
  });

  test('rejected credentials and client aborts are not retried', () => {
    expect(isTransient(failure(401, { credentialProblem: true, status: 502 }))).toBe(false);
    expect(isTransient(failure(0, { status: 502 }, true))).toBe(false);
  });

  test('a stream that broke before its first chunk is judged by its normalised status', () => {
    expect(isTransient(failure(200, { status: 502 }))).toBe(true);
    expect(isTransient(failure(200, { status: 400, retryable: false }))).toBe(false);
  });
});

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
