/**
 * In-memory state that must be one across worker processes: with `--workers N` and `store: memory`, the
 * rate-limit buckets, the providers' concurrency slots, the cache and the budget counters live in the primary
 * (and, whatever the stores, the affinity pins and the dashboard's login throttle),
 * and workers reach them over IPC. (With `store: redis://…` Redis already shares buckets, cache and budgets, and
 * none of this is used for them.) One IPC round trip per call; the primary is single-threaded, so each call is
 * one atomic step (a budget's check-and-hold, a bucket's take). See docs/deploy.md for what it costs.
 */
import cluster from 'node:cluster';
import { errors } from '../errors';
import { callPrimary, isGatewayWorker, notifyPrimary, registerErrorType, workerId, type PrimaryHandlers } from './ipc';
import { ConcurrencyGate, ConcurrencyTimeout, type ConcurrencySlots } from '../stores/concurrency-gate';
import { MemoryKvStore, type KvStore } from '../stores/kv-store';
import {
  MemorySpendCounters,
  type CounterLevel,
  type ReserveOptions,
  type ReserveResult,
  type SettleOptions,
  type SpendCounters,
} from '../stores/spend-counters';
import type { AbortSource } from '../upstream/abort-flag';
import { AffinityBook, type SharedPins } from '../routing/affinity';
import { LoginThrottle, type LoginCounter, type LoginLimits } from '../dashboard/login-throttle';
import { InvalidBucketCharge, LocalTokenBuckets, type BucketAdjustment, type BucketSpec, type TakeResult, type TokenBuckets } from '../stores/token-buckets';

registerErrorType(InvalidBucketCharge);

/** Buckets kept by the primary for every worker. */
class PrimaryTokenBuckets implements TokenBuckets {
  constructor(private readonly store: string) {}

  take(specs: readonly BucketSpec[]): Promise<TakeResult> {
    return callPrimary('buckets.take', [this.store, specs]) as Promise<TakeResult>;
  }

  async adjust(adjustments: readonly BucketAdjustment[]): Promise<void> {
    await callPrimary('buckets.adjust', [this.store, adjustments]);
  }

  async close(): Promise<void> {}
}

/** A cache kept by the primary for every worker. */
class PrimaryKvStore implements KvStore {
  constructor(
    private readonly store: string,
    private readonly options: { maxEntries: number; maxBytes: number },
  ) {}

  // A cache that cannot be reached is a miss, as with Redis: never a failed request.
  async get(key: string): Promise<string | undefined> {
    return (await callPrimary('kv.get', [this.store, this.options, key]).catch(() => undefined)) as string | undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await callPrimary('kv.set', [this.store, this.options, key, value, ttlMs]).catch(() => undefined);
  }

  async close(): Promise<void> {}
}

/** A stuck primary costs an affinity request at most this long: the turn is then routed as a new conversation. */
const AFFINITY_CALL_TIMEOUT_MS = 250;

/**
 * Cache-affinity pins kept by the primary for every worker: a lookup is one round trip, a pin one message.
 *
 * @example routing.affinity.share(new PrimaryPins());
 */
export class PrimaryPins implements SharedPins {
  async pinned(conversation: string): Promise<string | undefined> {
    return (await callPrimary('affinity.get', [conversation], AFFINITY_CALL_TIMEOUT_MS).catch(() => undefined)) as string | undefined;
  }

  remember(conversation: string, target: string, ttlMs: number): void {
    notifyPrimary('affinity.set', [conversation, target, ttlMs]);
  }
}

/**
 * How long a worker waits for the primary's login count before counting on its own: a stuck primary must not
 * lock the admin out, and the worker's own count still limits guesses (to N allowances instead of one).
 */
const LOGIN_CALL_TIMEOUT_MS = 1000;

/**
 * The dashboard's login throttle kept by the primary for every worker: a login's check and count are one round
 * trip, so parallel guesses cannot all pass the check before any is counted.
 *
 * @example const logins = new PrimaryLoginCounter(new LoginThrottle(Date.now)); await logins.attempt(address, limits, right)
 */
export class PrimaryLoginCounter implements LoginCounter {
  constructor(private readonly own: LoginThrottle) {}

  async attempt(address: string, limits: LoginLimits, right: boolean): Promise<number> {
    try {
      return (await callPrimary('login.attempt', [address, limits, right], LOGIN_CALL_TIMEOUT_MS)) as number;
    } catch {
      return this.own.attempt(address, limits, right);
    }
  }
}

/**
 * How long a worker waits for the primary's answer about a budget before refusing the request (503
 * budget_unavailable). The primary answers in well under a millisecond; this only ends a wait on a primary
 * that is stopped or stuck.
 */
export const BUDGET_CALL_TIMEOUT_MS = 2000;

/**
 * Budget counters kept by the primary for every worker. Whatever the primary does not answer is refused, never
 * decided locally: a worker's own count would let N workers spend N budgets.
 */
class PrimarySpendCounters implements SpendCounters {
  private async call<T>(method: string, args: unknown[]): Promise<T> {
    try {
      return (await callPrimary(method, args, BUDGET_CALL_TIMEOUT_MS)) as T;
    } catch {
      throw errors.budgetCountersUnreachable();
    }
  }

  get(counter: string): Promise<CounterLevel> {
    return this.call('budget.get', [counter]);
  }

  // A hold the primary grants after the timeout refused the request is not lost money: it expires by its TTL.
  reserve(counter: string, holdId: string, amountPico: number, limitPico: number, options: ReserveOptions): Promise<ReserveResult> {
    return this.call('budget.reserve', [counter, holdId, amountPico, limitPico, options]);
  }

  async settle(counter: string, holdId: string, costPico: number, options: SettleOptions): Promise<void> {
    // Not refused: the request has been served. A primary that is only slow still counts it when it gets to it;
    // one that is gone takes every worker with it, and the next start restores this spend from the sink.
    await callPrimary('budget.settle', [counter, holdId, costPico, options.ttlMs], BUDGET_CALL_TIMEOUT_MS).catch(() => undefined);
  }

  async seed(counter: string, pico: number, ttlMs?: number): Promise<void> {
    await this.call('budget.seed', [counter, pico, ttlMs]);
  }

  // Names the asker: the primary lets the first asker of a missing counter restore it and the others wait for it.
  exists(counter: string): Promise<boolean> {
    return this.call('budget.exists', [counter, workerId()]);
  }

  async close(): Promise<void> {}
}

/** A provider's concurrency slots kept by the primary, first come first served over all workers. */
class PrimaryConcurrencySlots implements ConcurrencySlots {
  private nextTicket = 1;

  acquire(provider: string, limit: number, deadline: number, signal?: AbortSource): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new Error('client went away while waiting for a provider slot'));
    // The ticket names this worker, so the primary frees its slots if it dies holding them.
    const ticket = `${workerId()}:${this.nextTicket++}`;
    return new Promise((resolve, reject) => {
      let decided = false;
      const onAbort = () => {
        if (decided) return;
        decided = true;
        // Sent after the acquire on the same channel: the primary drops the wait, or frees a slot it granted meanwhile.
        notifyPrimary('slots.cancel', [ticket]);
        reject(new Error('client went away while waiting for a provider slot'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Waits up to the deadline in the primary; the margin only ends a wait on a primary that never answers.
      callPrimary('slots.acquire', [ticket, provider, limit, deadline], Math.max(0, deadline - Date.now()) + BUDGET_CALL_TIMEOUT_MS).then(
        (granted) => {
          signal?.removeEventListener('abort', onAbort);
          if (decided) return;
          decided = true;
          if (!granted) return reject(new ConcurrencyTimeout(provider, limit));
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            notifyPrimary('slots.release', [ticket]);
          });
        },
        (err: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          if (decided) return;
          decided = true;
          notifyPrimary('slots.cancel', [ticket]);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  async close(): Promise<void> {}
}

/**
 * Budget counters "in memory": this process's own, or in a worker, the primary's (so a budget holds across
 * workers, and spend is restored from the sink once: by the first worker that asks, see budgetHandlers).
 *
 * @example const counters = memorySpendCounters();
 */
export function memorySpendCounters(): SpendCounters {
  return isGatewayWorker() ? new PrimarySpendCounters() : new MemorySpendCounters();
}

/**
 * Providers' concurrency slots: this process's own gate, or in a worker, the primary's (a limit of 2 is 2 in
 * flight over all workers).
 *
 * @example const slots = memoryConcurrencySlots(); const release = await slots.acquire('openai', 2, Date.now() + 2000);
 */
export function memoryConcurrencySlots(): ConcurrencySlots {
  return isGatewayWorker() ? new PrimaryConcurrencySlots() : new ConcurrencyGate();
}

/**
 * Token buckets "in memory": this process's own, or in a worker, the primary's (so limits hold across workers).
 *
 * @example const buckets = memoryTokenBuckets('rate-limit');
 */
export function memoryTokenBuckets(store: string): TokenBuckets {
  return isGatewayWorker() ? new PrimaryTokenBuckets(store) : new LocalTokenBuckets();
}

/**
 * A cache store "in memory": this process's own, or in a worker, the primary's.
 *
 * @example const kv = memoryKvStore('cache', { maxEntries: 10_000, maxBytes: 64 << 20 });
 */
export function memoryKvStore(store: string, options: { maxEntries: number; maxBytes: number }): KvStore {
  return isGatewayWorker() ? new PrimaryKvStore(store, options) : new MemoryKvStore(options);
}

/** One ticket of a worker's slot request, while it waits or holds its slot. */
interface SlotTicket {
  cancel: AbortController;
  release?: () => void;
}

/**
 * The primary's side of the concurrency slots. A ticket's slot is freed when its worker releases it, cancels its
 * wait, or exits (the requests it held the slot for died with it).
 */
function slotHandlers(): PrimaryHandlers {
  const gate = new ConcurrencyGate();
  const tickets = new Map<string, SlotTicket>();
  const drop = (ticket: string) => {
    const t = tickets.get(ticket);
    if (!t) return;
    tickets.delete(ticket);
    if (t.release) t.release();
    else t.cancel.abort();
  };
  cluster.on('exit', (worker) => {
    for (const ticket of [...tickets.keys()]) if (ticket.startsWith(`${worker.id}:`)) drop(ticket);
  });
  return {
    'slots.acquire': async (ticket: string, provider: string, limit: number, deadline: number): Promise<boolean> => {
      const t: SlotTicket = { cancel: new AbortController() };
      tickets.set(ticket, t);
      try {
        const release = await gate.acquire(provider, limit, deadline, t.cancel.signal);
        // Cancelled between the grant and this line: the slot goes straight back.
        if (t.cancel.signal.aborted || tickets.get(ticket) !== t) {
          release();
          return false;
        }
        t.release = release;
        return true;
      } catch {
        tickets.delete(ticket);
        return false;
      }
    },
    'slots.release': (ticket: string) => drop(ticket),
    'slots.cancel': (ticket: string) => drop(ticket),
  };
}

/**
 * Longest wait of a worker for another's restore of the same counter; then it reads the sink itself (twice is
 * harmless: seeds are set-if-absent). Below BUDGET_CALL_TIMEOUT_MS, so the waiting worker's call does not time out.
 */
const RESTORE_WAIT_MS = 1500;

/**
 * The primary's side of the budget counters: one in-memory ledger, each call one synchronous step. A counter
 * that does not exist yet is restored by the first worker that asks (the ledger asks `exists` before reading the
 * spend sink); a second asker waits for that restore, so the sink is read once per key, not once per worker.
 */
function budgetHandlers(): PrimaryHandlers {
  const counters = new MemorySpendCounters();
  const restoring = new Map<string, { worker: number; done: () => void; finished: Promise<void> }>();
  const finish = (counter: string) => {
    restoring.get(counter)?.done();
    restoring.delete(counter);
  };
  cluster.on('exit', (worker) => {
    for (const [counter, r] of [...restoring]) if (r.worker === worker.id) finish(counter);
  });
  const exists = async (counter: string, asker: number): Promise<boolean> => {
    if (await counters.exists(counter)) return true;
    const r = restoring.get(counter);
    if (!r) {
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      restoring.set(counter, { worker: asker, done, finished });
      return false;
    }
    // The restorer asking again: its sink read failed. Let the others try.
    if (r.worker === asker) {
      finish(counter);
      return false;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([r.finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, RESTORE_WAIT_MS)))]);
    clearTimeout(timer);
    return counters.exists(counter);
  };
  return {
    'budget.get': (counter: string) => counters.levelNow(counter),
    'budget.reserve': (counter: string, holdId: string, amountPico: number, limitPico: number, options: ReserveOptions): ReserveResult => {
      const result = counters.reserveNow(counter, holdId, amountPico, limitPico, options);
      // The primary is the shared store here: a hold it took is the one every worker sees.
      return { ...result, shared: result.admitted };
    },
    'budget.settle': (counter: string, holdId: string, costPico: number, ttlMs?: number) => counters.settleNow(counter, holdId, costPico, ttlMs),
    'budget.seed': async (counter: string, pico: number, ttlMs?: number) => {
      await counters.seed(counter, pico, ttlMs);
      finish(counter);
    },
    'budget.exists': (counter: string, asker: number) => exists(counter, asker),
  };
}

/** The primary's side: the stores themselves, created on first use. */
export function sharedStoreHandlers(): PrimaryHandlers {
  const buckets = new Map<string, LocalTokenBuckets>();
  const kvs = new Map<string, MemoryKvStore>();
  const pins = new AffinityBook();
  const logins = new LoginThrottle(Date.now);
  const bucketsOf = (store: string) => buckets.get(store) ?? buckets.set(store, new LocalTokenBuckets()).get(store)!;
  const kvOf = (store: string, options: { maxEntries: number; maxBytes: number }) => {
    const key = `${store}|${options.maxEntries}|${options.maxBytes}`;
    return kvs.get(key) ?? kvs.set(key, new MemoryKvStore(options)).get(key)!;
  };
  return {
    ...budgetHandlers(),
    ...slotHandlers(),
    'affinity.get': (conversation: string) => pins.pinned(conversation),
    'affinity.set': (conversation: string, target: string, ttlMs: number) => pins.remember(conversation, target, ttlMs),
    'login.attempt': (address: string, limits: LoginLimits, right: boolean) => logins.attempt(address, limits, right),
    'buckets.take': (store: string, specs: BucketSpec[]) => bucketsOf(store).take(specs),
    'buckets.adjust': (store: string, adjustments: BucketAdjustment[]) => bucketsOf(store).adjust(adjustments),
    'kv.get': (store: string, options: { maxEntries: number; maxBytes: number }, key: string) => kvOf(store, options).get(key),
    'kv.set': (store: string, options: { maxEntries: number; maxBytes: number }, key: string, value: string, ttlMs: number) =>
      kvOf(store, options).set(key, value, ttlMs),
  };
}
