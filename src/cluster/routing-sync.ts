/**
 * The routing state is one across workers. Cooldowns exactly: a breaker that trips (or closes) in one worker
 * process trips (or closes) in all at once, so a dead provider costs the failures of one process, not of each.
 * Latency and in-flight statistics eventually: every STATS_SHARE_MS each worker sends the others what it
 * measured, so lowest-latency, best-value and least-busy see all workers' traffic, up to that interval late.
 * Cache-affinity pins are the primary's (shared-stores.ts), so a conversation's next turn finds its pin anywhere.
 */
import type { RoutingState } from '../routing/routing-state';
import type { CooldownEvent } from '../routing/cooldown-book';
import type { StatsReport } from '../routing/target-stats';
import { broadcast, isGatewayWorker, onBroadcast, workerId } from './ipc';
import { PrimaryPins } from './shared-stores';

/** How often a worker sends its latency samples and in-flight counts to the others. */
export const STATS_SHARE_MS = 1000;

/**
 * @example const routing = state.keep('routing:state', () => shareRoutingState(new RoutingState()));
 */
export function shareRoutingState(routing: RoutingState): RoutingState {
  if (!isGatewayWorker()) return routing;
  routing.affinity.share(new PrimaryPins());
  routing.cooldowns.onChange = (event) => broadcast('cooldown', event);
  onBroadcast('cooldown', (event) => routing.cooldowns.applyPeer(event as CooldownEvent));

  const { stats } = routing;
  stats.sharing = true;
  onBroadcast('stats', (payload) => {
    const { from, ...report } = payload as StatsReport & { from: number };
    stats.applyPeer(from, report);
  });
  // Sent by the primary when a worker exits: the requests it had in flight are gone.
  onBroadcast('worker-gone', (id) => stats.forgetPeer(id as number));
  setInterval(() => {
    const report = stats.report();
    if (report) broadcast('stats', { from: workerId(), ...report });
  }, STATS_SHARE_MS).unref();
  return routing;
}
