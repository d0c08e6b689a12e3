/**
 * The routing state that outlives config reloads: circuit breakers and per-target statistics. One instance per
 * daemon, kept in the StateRegistry; snapshots reach it as `snapshot.routing`. It takes targets by shape, not by
 * the snapshot's type, so the snapshot that holds it is not imported back (no cycle).
 */
import { AffinityBook } from './affinity';
import { CooldownBook, type CooldownView } from './cooldown-book';
import { TargetStats } from './target-stats';

/** The key of one target in breakers and statistics. @example targetKey({ provider: 'openai', model: 'gpt-4o' }) // 'openai/gpt-4o' */
export function targetKey(target: { provider: string; model: string }): string {
  return `${target.provider}/${target.model}`;
}

/** The key that cools down every target of a provider (credentials rejected). @example providerKey('openai') // 'openai:*' */
export function providerKey(provider: string): string {
  return `${provider}:*`;
}

/**
 * @example const routing = state.keep('routing:state', () => new RoutingState());
 */
export class RoutingState {
  // The clock is read at each call, not captured once, so an in-process test can move Date.now past a cooldown.
  readonly cooldowns = new CooldownBook(() => Date.now());
  readonly stats = new TargetStats();
  readonly affinity = new AffinityBook(() => Date.now());

  /** What /health/ready shows. */
  describe(): { cooldowns: CooldownView[]; targets: ReturnType<TargetStats['describe']> } {
    return { cooldowns: this.cooldowns.describe(), targets: this.stats.describe() };
  }
}
