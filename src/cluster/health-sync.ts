/**
 * Active health checks run in one worker, not in each: with N workers the upstream would otherwise be probed N
 * times per interval. The primary names the prober (the live worker with the lowest id; when it exits, the
 * next one takes over); the prober's checks feed the cooldown book, whose trips and closes every worker already
 * shares (routing-sync.ts), and each result is sent to the others so their /health/ready shows it too. The primary
 * keeps the last result of each check, so a worker started later (a replacement) shows them from its start.
 */
import cluster from 'node:cluster';
import type { HealthChecker, HealthResult } from '../routing/health-checks';
import { broadcast, callPrimary, isGatewayWorker, onBroadcast, tellWorkers, workerId, type BroadcastWatchers, type PrimaryHandlers } from './ipc';

/** The worker that probes, as this worker last heard it from the primary (0: not heard yet). */
let prober = 0;
let listening = false;
/** This worker's checkers by registry key (healthCheckKey: the same in every worker running the same config). */
const checkers = new Map<string, HealthChecker>();
/** The last result of each check as other workers (or the primary, at start) reported it. */
const heard = new Map<string, HealthResult>();

type HealthPayload = { key: string; result: HealthResult };

function hear({ key, result }: HealthPayload): void {
  heard.set(key, result);
  checkers.get(key)?.applyPeer(result);
}

function setProber(id: number): void {
  const becameProber = id === workerId() && prober !== id;
  prober = id;
  // Taking over (or starting as the prober): check at once rather than at the next tick.
  if (becameProber) for (const c of checkers.values()) c.checkSoon();
}

function listen(): void {
  if (listening) return;
  listening = true;
  onBroadcast('health-prober', (id) => setProber(id as number));
  onBroadcast('health', (payload) => hear(payload as HealthPayload));
  void callPrimary('health.state', []).then(
    (state) => {
      const { prober: id, results } = state as { prober: number; results: HealthPayload[] };
      for (const r of results) if (!heard.has(r.key)) hear(r);
      setProber(id);
    },
    () => undefined,
  );
}

/**
 * In a worker: the checker probes only while this worker is the prober, and hands its results to the others.
 *
 * @example state.keep(key, () => shareHealthCheck(new HealthChecker(p, cfg, routing.cooldowns), key), (c) => c.stop());
 */
export function shareHealthCheck(checker: HealthChecker, key: string): HealthChecker {
  if (!isGatewayWorker()) return checker;
  checkers.set(key, checker);
  const known = heard.get(key);
  if (known) checker.applyPeer(known);
  checker.probes = () => prober === workerId();
  checker.onResult = (result) => broadcast('health', { key, result });
  listen();
  return checker;
}

/**
 * The primary's side: names the prober, tells every worker when that changes (a worker exited), and hands a
 * starting worker the last result of each check.
 *
 * @example const health = healthProberHandlers(); servePrimary({ ...health.handlers }, { ...health.watchers });
 */
export function healthProberHandlers(): { handlers: PrimaryHandlers; watchers: BroadcastWatchers } {
  let current = 0;
  const results = new Map<string, HealthPayload>();
  const elect = (gone?: number) => {
    const ids = Object.values(cluster.workers ?? {}).flatMap((w) => (w && w.id !== gone && w.isConnected() ? [w.id] : []));
    const next = ids.length > 0 ? Math.min(...ids) : 0;
    if (next === current) return;
    current = next;
    tellWorkers('health-prober', current);
  };
  cluster.on('exit', (worker) => elect(worker.id));
  return {
    watchers: { health: (payload) => results.set((payload as HealthPayload).key, payload as HealthPayload) },
    handlers: {
      'health.state': () => {
        elect();
        return { prober: current, results: [...results.values()] };
      },
    },
  };
}
