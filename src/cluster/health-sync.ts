/**
 * Active health checks run in one worker, not in each: with N workers the upstream would otherwise be probed N
 * times per interval. The primary names the prober (the live worker with the lowest id; when it exits, the
 * next one takes over); the prober's checks feed the cooldown book, whose trips and closes every worker already
 * shares (routing-sync.ts), and each result is sent to the others so their /health/ready shows it too.
 */
import cluster from 'node:cluster';
import type { HealthChecker, HealthResult } from '../routing/health-checks';
import { broadcast, callPrimary, isGatewayWorker, onBroadcast, tellWorkers, workerId, type PrimaryHandlers } from './ipc';

/** The worker that probes, as this worker last heard it from the primary (0: not heard yet). */
let prober = 0;
let listening = false;
/** This worker's checkers by registry key (healthCheckKey: the same in every worker running the same config). */
const checkers = new Map<string, HealthChecker>();

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
  onBroadcast('health', (payload) => {
    const { key, result } = payload as { key: string; result: HealthResult };
    checkers.get(key)?.applyPeer(result);
  });
  void callPrimary('health.prober', []).then(
    (id) => setProber(id as number),
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
  checker.probes = () => prober === workerId();
  checker.onResult = (result) => broadcast('health', { key, result });
  listen();
  return checker;
}

/**
 * The primary's side: names the prober, and tells every worker when that changes (a worker exited).
 *
 * @example servePrimary({ ...healthProberHandlers(), … });
 */
export function healthProberHandlers(): PrimaryHandlers {
  let current = 0;
  const elect = (gone?: number) => {
    const ids = Object.values(cluster.workers ?? {}).flatMap((w) => (w && w.id !== gone && w.isConnected() ? [w.id] : []));
    const next = ids.length > 0 ? Math.min(...ids) : 0;
    if (next === current) return;
    current = next;
    tellWorkers('health-prober', current);
  };
  cluster.on('exit', (worker) => elect(worker.id));
  return {
    'health.prober': () => {
      elect();
      return current;
    },
  };
}
