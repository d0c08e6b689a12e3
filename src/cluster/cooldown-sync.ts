/**
 * Cooldowns are one across workers: a breaker that trips (or closes) in one worker process trips (or closes) in
 * all, so a dead provider costs the failures of one process, not of each. Latency and in-flight statistics stay
 * per worker: each samples the same upstreams, so its averages agree with the others' without sharing.
 */
import type { RoutingState } from '../routing/routing-state';
import type { CooldownEvent } from '../routing/cooldown-book';
import { broadcast, isGatewayWorker, onBroadcast } from './ipc';

/**
 * @example const routing = state.keep('routing:state', () => shareCooldowns(new RoutingState()));
 */
export function shareCooldowns(routing: RoutingState): RoutingState {
  if (!isGatewayWorker()) return routing;
  routing.cooldowns.onChange = (event) => broadcast('cooldown', event);
  onBroadcast('cooldown', (event) => routing.cooldowns.applyPeer(event as CooldownEvent));
  return routing;
}
