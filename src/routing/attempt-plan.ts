/**
 * Expands an alias into the sequence of (alias, target) attempts: the alias's targets in strategy order, then
 * each fallback alias's attempts in turn (depth first, each alias at most once, so fallback cycles end).
 */
import type { ResolvedAlias, ResolvedTarget, RuntimeSnapshot } from '../config/snapshot';
import { orderTargets } from './pick-order';

export interface PlannedAttempt {
  alias: ResolvedAlias;
  target: ResolvedTarget;
}

/**
 * Lazy, so fallback targets are only drawn if they are reached.
 *
 * @example for (const step of attemptPlan(snapshot, snapshot.aliases.get('chat')!)) { ... }
 */
export function* attemptPlan(snapshot: RuntimeSnapshot, first: ResolvedAlias, visited = new Set<string>()): Generator<PlannedAttempt> {
  if (visited.has(first.name)) return;
  visited.add(first.name);
  for (const target of orderTargets(first)) yield { alias: first, target };
  for (const name of first.fallbacks) {
    const next = snapshot.aliases.get(name);
    if (next) yield* attemptPlan(snapshot, next, visited);
  }
}
