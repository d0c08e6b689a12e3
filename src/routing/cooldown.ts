/**
 * The circuit-breaker wrapper around one try: skips a target (or a whole provider) that is cooling down, lets
 * exactly one probe through when the cooldown ends, and feeds every outcome back into the CooldownBook.
 * Active only for aliases with a `cooldown:` policy (their own or the top-level one).
 */
import type { RequestContext } from '../pipeline/types';
import { AttemptFailure } from './call-target';
import { isTransient } from './retry';
import { providerKey, targetKey, type RoutingState } from './routing-state';
import { recordSkip, type TryTarget } from './try-target';

/**
 * @example const tryTarget = withRetry(withCooldown(ctx, snapshot.routing, recordedAttempt(...)));
 */
export function withCooldown<T>(ctx: RequestContext, routing: RoutingState, next: TryTarget<T>): TryTarget<T> {
  const book = routing.cooldowns;
  return async (step, signal) => {
    const breaker = step.alias.policy.breaker;
    if (!breaker) return next(step, signal);
    const key = targetKey(step.target);
    const provider = providerKey(step.target.provider);
    if (book.isSkipped(provider)) throw recordSkip(ctx, step, `cooling down for ${Math.ceil(book.remainingMs(provider) / 1000)}s (provider)`);
    const admission = book.admit(key);
    if (admission === 'skip') throw recordSkip(ctx, step, `cooling down for ${Math.ceil(book.remainingMs(key) / 1000)}s`);
    try {
      const value = await next(step, signal);
      book.recordSuccess(key);
      return value;
    } catch (err) {
      if (!(err instanceof AttemptFailure)) {
        book.releaseProbe(key);
        throw err;
      }
      const asked = err.info.retryAfterMs;
      if (err.clientAborted) {
        book.releaseProbe(key);
      } else if (err.info.credentialProblem) {
        book.coolFor(provider, breaker.durationMs, 'credentials rejected');
        book.releaseProbe(key);
        ctx.log.warn('provider cooling down: its credentials were rejected', { request_id: ctx.id, provider: step.target.provider, cooldown_ms: breaker.durationMs });
      } else if (asked !== undefined && asked > step.alias.policy.retry.maxBackoffMs) {
        book.coolFor(key, asked, `upstream asked to wait ${Math.ceil(asked / 1000)}s`);
        ctx.log.warn('target cooling down for its Retry-After', { request_id: ctx.id, target: key, retry_after_ms: asked });
      } else if (isTransient(err)) {
        book.recordFailure(key, breaker, err.message);
        if (book.isSkipped(key)) ctx.log.warn('target cooling down', { request_id: ctx.id, target: key, reason: err.message });
      } else {
        // The upstream answered (a client error, an unknown model): it is up.
        book.recordSuccess(key);
      }
      throw err;
    }
  };
}
