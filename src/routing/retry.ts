/**
 * Retries of the same target: on connection errors, timeouts, 408, 429, 500, 502, 503, 504 and 529, up to the
 * alias's `retry.attempts`, with exponential backoff and full jitter. An upstream's Retry-After is honoured
 * when it fits under the backoff cap; a longer one moves on at once (the cooldown wrapper parks the target).
 * Which failures count as transient is attempt-failure.ts's `isTransient`, judged by the failure's kind.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { asAbortSignal } from '../upstream/abort-flag';
import { AttemptFailure, isTransient } from './attempt-failure';
import type { RetryPolicy } from './policy';
import type { TryTarget } from './try-target';

/**
 * The wait before try number `tryNumber + 1`: full jitter over min(cap, base × 2^(tryNumber-1)).
 *
 * @example backoffDelay({ attempts: 3, backoffMs: 100, maxBackoffMs: 5000 }, 2, () => 0.5) // 100
 */
export function backoffDelay(policy: RetryPolicy, tryNumber: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (tryNumber - 1));
  return Math.floor(random() * ceiling);
}

/**
 * How long to wait before trying the same target again, or undefined to move on to the next target.
 *
 * @example retryDelay(policy, failure, 1) // 73 (jittered), or the upstream's Retry-After if it is under the cap
 */
export function retryDelay(policy: RetryPolicy, failure: AttemptFailure, tryNumber: number, random: () => number = Math.random): number | undefined {
  if (tryNumber >= policy.attempts || !isTransient(failure)) return undefined;
  const asked = failure.info.retryAfterMs;
  if (asked !== undefined) return asked > policy.maxBackoffMs ? undefined : asked;
  return backoffDelay(policy, tryNumber, random);
}

/**
 * @example const tryTarget = withRetry(withCooldown(ctx, routing, recordedAttempt(...)));
 */
export function withRetry<T>(next: TryTarget<T>): TryTarget<T> {
  const retrying: TryTarget<T> = async (step, signal) => {
    const policy = step.alias.policy.retry;
    for (let tryNumber = 1; ; tryNumber++) {
      try {
        return await next(step, signal);
      } catch (err) {
        if (!(err instanceof AttemptFailure) || signal.aborted) throw err;
        const wait = retryDelay(policy, err, tryNumber);
        if (wait === undefined) throw err;
        // Aborted by the client or the alias's timeout: the routing loop reports which.
        await sleep(wait, undefined, { signal: asAbortSignal(signal) }).catch(() => {
          throw err;
        });
      }
    }
  };
  // One try only (the default): no wrapper at all, not even an async frame, on the path every request takes.
  return (step, signal) => (step.alias.policy.retry.attempts > 1 ? retrying(step, signal) : next(step, signal));
}
