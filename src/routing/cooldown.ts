/**
 * The circuit-breaker wrapper around one try: skips a target (or a whole provider) that is cooling down, lets
 * exactly one probe through when the cooldown ends, and feeds every outcome back into the CooldownBook.
 * Active only for aliases with a `cooldown:` policy (their own or the top-level one).
 */
import type { RequestContext } from '../pipeline/types';
import { AttemptFailure, isLocalRefusal, isTransient } from './attempt-failure';
import type { CooldownBook } from './cooldown-book';
import { providerKey, targetKey, type RoutingState } from './routing-state';
import { recordSkip, type TryTarget } from './try-target';

/** Why a key is being skipped, for the attempt record. */
function skipReason(book: CooldownBook, key: string, what: string): string {
  return `${what} cooling down for ${Math.ceil(book.remainingMs(key) / 1000)}s`;
}

/**
 * @example const tryTarget = withRetry(withCooldown(ctx, snapshot.routing, recordedAttempt(...)));
 */
export function withCooldown<T>(ctx: RequestContext, routing: RoutingState, next: TryTarget<T>): TryTarget<T> {
  const book = routing.cooldowns;
  const guarded: TryTarget<T> = async (step, signal) => {
    const breaker = step.alias.policy.breaker!;
    // Two breakers guard a target: the provider's (credentials) and the target's own.
    const keys = [providerKey(step.target.provider), targetKey(step.target)];
    const [provider, key] = keys;
    if (book.admit(provider) === 'skip') throw recordSkip(ctx, step, skipReason(book, provider, 'provider'));
    if (book.admit(key) === 'skip') {
      book.releaseProbe(provider);
      throw recordSkip(ctx, step, skipReason(book, key, 'target'));
    }
    try {
      const value = await next(step, signal);
      for (const k of keys) book.recordSuccess(k);
      return value;
    } catch (err) {
      if (!(err instanceof AttemptFailure) || err.kind === 'client_abort' || isLocalRefusal(err)) {
        for (const k of keys) book.releaseProbe(k); // no verdict on the upstream: it was not asked, or not to blame
        throw err;
      }
      const asked = err.info.retryAfterMs;
      if (err.info.credentialProblem) {
        book.coolFor(provider, breaker.durationMs, 'credentials rejected');
        book.releaseProbe(key);
        ctx.log.warn('provider cooling down: its credentials were rejected', {
          request_id: ctx.id,
          provider: step.target.provider,
          cooldown_ms: breaker.durationMs,
        });
        throw err;
      }
      book.recordSuccess(provider); // the provider accepted our credentials
      if (asked !== undefined && asked > step.alias.policy.retry.maxBackoffMs) {
        book.coolFor(key, asked, `upstream asked to wait ${Math.ceil(asked / 1000)}s`);
        ctx.log.warn('target cooling down for its Retry-After', { request_id: ctx.id, target: key, retry_after_ms: asked });
      } else if (isTransient(err)) {
        book.recordFailure(key, breaker, err.message);
        if (book.isSkipped(key)) ctx.log.warn('target cooling down', { request_id: ctx.id, target: key, reason: err.message });
      } else {
        book.recordSuccess(key); // the upstream answered (a client error, an unknown model): it is up
      }
      throw err;
    }
  };
  // Without a breaker (the default) the try goes straight through: no async frame on the common path.
  return (step, signal) => (step.alias.policy.breaker ? guarded(step, signal) : next(step, signal));
}
