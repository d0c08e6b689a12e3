/**
 * `switchyard start --workers N`: the primary process. It forks N workers that each run the whole gateway on
 * one shared port (node:cluster hands connections out), keeps the state that must be one (shared-stores.ts),
 * names the one worker that runs the health checks (health-sync.ts), aggregates /metrics across workers, forwards SIGHUP (reload) and SIGTERM/SIGINT (drain) to every worker,
 * replaces a worker that dies, and exits once all workers have drained.
 */
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import client from 'prom-client';
import type { GatewayConfig } from '../config/types';
import { healthProberHandlers } from './health-sync';
import { SESSION_KEY_ENV, servePrimary, tellWorkers } from './ipc';
import { openCooldowns } from './routing-sync';
import { sharedStoreHandlers } from './shared-stores';

/** Log lines of the primary: the same JSON shape as the workers' (one object per line). */
function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ level, message: msg, role: 'primary', pid: process.pid, ...fields, timestamp: new Date().toISOString() })}\n`);
}

/**
 * How many workers `workers:` / `--workers` asks for: a positive integer, or `auto` (one per core).
 *
 * @example workerCount('auto') // os.availableParallelism()
 */
export function workerCount(value: string | number | undefined): number {
  if (value === undefined) return 1;
  if (value === 'auto') return os.availableParallelism();
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`workers must be a whole number from 1 to 256, or "auto"; got "${String(value)}"`);
  return n;
}

/** A config problem, placed by its path (cli.ts adds the line and column). */
export interface WorkerProblem {
  path: (string | number)[];
  message: string;
}

/**
 * What cannot be right with several workers as configured: state kept in one process's memory that the primary
 * does not share (feedback). Rate limits, concurrency slots, the cache and budgets in memory are shared by the
 * primary (shared-stores.ts).
 *
 * @example workerProblems(config) // [{ path: ['feedback', 'store'], message: '…' }]
 */
export function workerProblems(config: GatewayConfig): WorkerProblem[] {
  const out: WorkerProblem[] = [];
  if (config.feedback?.store === 'memory')
    out.push({ path: ['feedback', 'store'], message: 'with several workers, feedback needs sqlite://, postgres:// or redis:// (memory is per worker)' });
  return out;
}

/** A worker that dies sooner than this after its start is not replaced at once (a crash loop backs off). */
const QUICK_DEATH_MS = 5_000;

/**
 * Runs the primary until every worker has exited after SIGTERM/SIGINT. `args` are passed to each worker.
 *
 * @example await runPrimary(2, process.argv.slice(2));
 */
export async function runPrimary(workers: number, args: string[]): Promise<number> {
  const aggregator = new client.AggregatorRegistry();
  // The primary keeps what a worker started later (a replacement) must begin with: open cooldowns, health results.
  const health = healthProberHandlers();
  const cooldowns = openCooldowns();
  servePrimary(
    { ...sharedStoreHandlers(), ...health.handlers, ...cooldowns.handlers, metrics: () => aggregator.clusterMetrics() },
    { ...health.watchers, ...cooldowns.watchers },
  );
  cluster.setupPrimary({ args, silent: false });
  let stopping = false;
  const started = new Map<number, number>();
  // One dashboard session key for all workers, replacements included; a restart of the primary ends every session.
  const sessionKey = randomBytes(32).toString('base64url');
  const fork = () => {
    const w = cluster.fork({ SWITCHYARD_WORKER: '1', [SESSION_KEY_ENV]: sessionKey });
    started.set(w.id, Date.now());
  };
  cluster.on('exit', (worker, code, signal) => {
    // The others forget what it had in flight (routing-sync.ts).
    tellWorkers('worker-gone', worker.id);
    const lived = Date.now() - (started.get(worker.id) ?? 0);
    started.delete(worker.id);
    if (stopping) return;
    log('error', 'worker exited; starting another', { worker_pid: worker.process.pid, code, signal, lived_ms: lived });
    setTimeout(fork, lived < QUICK_DEATH_MS ? 1000 : 0).unref();
  });
  for (let i = 0; i < workers; i++) fork();
  log('info', 'workers started', { workers });

  const forward = (signal: NodeJS.Signals) => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
  };
  process.on('SIGHUP', () => forward('SIGHUP'));
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log('info', 'signal received; draining workers', { signal });
      forward('SIGTERM');
      const check = () => {
        if (Object.keys(cluster.workers ?? {}).length === 0) {
          log('info', 'all workers stopped');
          resolve(0);
        }
      };
      cluster.on('exit', check);
      check();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
