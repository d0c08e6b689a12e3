/**
 * The routing state is one across workers. Cooldowns exactly: a breaker that trips (or closes) in one worker
 * process trips (or closes) in all at once, so a dead provider costs the failures of one process, not of each.
 * Latency and in-flight statistics eventually: every STATS_SHARE_MS each worker sends the others what it
 * measured, so lowest-latency, best-value and least-busy see all workers' traffic, up to that interval late.
 * Cache-affinity pins are the primary's (shared-stores.ts), so a conversation's next turn finds its pin anywhere.
 * The primary keeps the open cooldowns it relays, so a worker started later (a replacement) begins with them.
 */
import type { RoutingState } from '../routing/routing-state';
import type { CooldownEvent } from '../routing/cooldown-book';
import type { StatsReport } from '../routing/target-stats';
import { broadcast, callPrimary, isGatewayWorker, onBroadcast, workerId, type BroadcastWatchers, type PrimaryHandlers } from './ipc';
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
  // Sent before this worker listens, so its answer arrives before the first connection (handed over the same channel).
  void callPrimary('cooldowns.open', []).then(
    (events) => {
      for (const e of events as CooldownEvent[]) routing.cooldowns.applyPeer(e);
    },
    () => undefined,
  );

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

/**
 * The primary's side: the cooldowns open now, from the trips and closes it relayed, each with the time it has left.
 *
 * @example const cooldowns = openCooldowns(); servePrimary({ ...cooldowns.handlers }, { ...cooldowns.watchers });
 */
export function openCooldowns(now: () => number = Date.now): { handlers: PrimaryHandlers; watchers: BroadcastWatchers } {
  const open = new Map<string, { until: number; reason: string }>();
  return {
    watchers: {
      cooldown: (payload) => {
        const e = payload as CooldownEvent;
        if (e.op === 'cool') open.set(e.key, { until: now() + e.ms, reason: e.reason });
        else open.delete(e.key);
      },
    },
    handlers: {
      'cooldowns.open': (): CooldownEvent[] =>
        [...open].flatMap(([key, c]) => {
          const ms = c.until - now();
          if (ms > 0) return [{ op: 'cool' as const, key, ms, reason: c.reason }];
          open.delete(key);
          return [];
        }),
    },
  };
}
