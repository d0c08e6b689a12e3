/**
 * The wrapper that passes over a target the gateway knows cannot serve the request, before anything is spent on
 * it: a provider that is unknown or lacks its credentials, one whose active health check failed, or a model the
 * catalog says lacks a capability the request needs (capabilities.ts). Each skip is an attempt record saying why.
 */
import type { RequestContext } from '../pipeline/types';
import type { PlannedAttempt } from './attempt-plan';
import { capabilitySkipReason, lackedCapability, requiredCapabilities } from './capabilities';
import { providerKey } from './routing-state';
import type { RuntimeSnapshot } from './snapshot-types';
import { recordSkip, type TryTarget } from './try-target';

/**
 * Why the step's target cannot serve this request, or undefined when it can.
 *
 * @example unservableReason(ctx, snapshot, step) // 'unavailable: OPENAI_API_KEY not set'
 */
export function unservableReason(ctx: RequestContext, snapshot: RuntimeSnapshot, step: PlannedAttempt): string | undefined {
  const provider = snapshot.providers.get(step.target.provider);
  if (!provider) return 'unknown provider';
  if (!provider.available) return `unavailable: ${provider.missingEnv.join(', ')} not set`;
  // A provider whose active health check failed is passed over whether or not the alias has a cooldown policy.
  if (provider.healthCheck && snapshot.routing.cooldowns.isSkipped(providerKey(provider.name))) {
    return `provider failed its health check: ${provider.healthCheck.last()?.error ?? 'down'}`;
  }
  const lacked = lackedCapability(provider, step.target.model, requiredCapabilities(ctx.body as object));
  return lacked ? capabilitySkipReason(lacked) : undefined;
}

/**
 * Skips (records and throws TargetSkipped for) a target that cannot serve; passes every other try to `next`, which
 * may then rely on the step's provider being known and available.
 *
 * @example const tryTarget = withRetry(withCooldown(ctx, routing, skipUnservable(ctx, snapshot, attempt)));
 */
export function skipUnservable<T>(ctx: RequestContext, snapshot: RuntimeSnapshot, next: TryTarget<T>): TryTarget<T> {
  // Not async: the common path (the target can serve) adds no frame of its own.
  return (step, signal) => {
    const reason = unservableReason(ctx, snapshot, step);
    return reason === undefined ? next(step, signal) : Promise.reject(recordSkip(ctx, step, reason));
  };
}
