/**
 * Spend per key and budget period, in pico-dollars: a request is checked at admission, reserves its worst-case
 * cost before each upstream attempt (atomically, so concurrent requests cannot all pass one check), and settles
 * to its real cost when it ends. Counters live in memory or Redis (shared by every instance) and are restored
 * from the spend sink the first time a key is seen after a start; while that restore fails the budget is closed.
 */
import { randomUUID } from 'node:crypto';
import { errors, formatPicoUsd, usdToPico, type RequestVariables, type SpendCounters, type SpendSink } from '../../plugin-api';
import { periodWindow, type PeriodWindow } from './budget-period';

/** A key's budget, as the auth plugin sets it (`ctx.get('callerLimits')`). */
type CallerLimits = Pick<RequestVariables['callerLimits'], 'budgetUsd' | 'budgetPeriod'>;

/** How long a hold counts when its request never settles (the process died): 15 minutes. */
export const DEFAULT_HOLD_TTL_MS = 15 * 60_000;
/** How long a restore from the sink may take before the request is refused as unrestored. */
export const DEFAULT_RESTORE_TIMEOUT_MS = 2000;

/**
 * Whether the key has a budget at all: the cost-log hooks ask first, so a key without one costs them no promise.
 *
 * @example if (hasBudget(ctx.get('callerLimits'))) await ledger.check(name, ctx.get('callerLimits'), sink);
 */
export function hasBudget(limits: CallerLimits | undefined): limits is CallerLimits & { budgetUsd: number } {
  return limits?.budgetUsd !== undefined;
}

/** One request's reservation: what `settle` needs to release it. */
export interface BudgetHold {
  counter: string;
  /** Unique per request (not the client's x-request-id, which two requests may share). */
  holdId: string;
  /** The largest worst case reserved so far (attempts raise it, never lower it). */
  amountPico: number;
  /** The shared store acknowledged the hold. */
  shared: boolean;
  ttlMs?: number;
  settled: boolean;
}

export interface BudgetLedgerOptions {
  now?: () => number;
  holdTtlMs?: number;
  restoreTimeoutMs?: number;
  /** Told each time a request is refused because its key's spend could not be restored. */
  onUnrestored?: (keyName: string) => void;
  /**
   * A counter that already exists was restored by another process sharing these counters (the workers of
   * `--workers`, whose counters are the primary's): use it without reading the sink again. Not for Redis, whose
   * local mirror is seeded by the restore.
   */
  trustExisting?: boolean;
}

/** Where past spend is read from: the spend log (the sink plus what the local journal holds for it), or a sink. */
export type SpendHistory = Pick<SpendSink, 'costSince'>;

/**
 * @example
 * const ledger = new BudgetLedger(new MemorySpendCounters());
 * await ledger.check('team-a', { budgetUsd: 25, budgetPeriod: 'monthly' }, sink); // throws 429 when spent
 * const hold = await ledger.reserve('team-a', limits, 9_000_000_000, sink);
 * await ledger.settle(hold, 4_500_000_000);
 */
export class BudgetLedger {
  private readonly restored = new Set<string>();
  private readonly restoring = new Map<string, Promise<void>>();
  private readonly now: () => number;
  private readonly holdTtlMs: number;
  private readonly restoreTimeoutMs: number;

  constructor(
    readonly counters: SpendCounters,
    private readonly options: BudgetLedgerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.holdTtlMs = options.holdTtlMs ?? DEFAULT_HOLD_TTL_MS;
    this.restoreTimeoutMs = options.restoreTimeoutMs ?? DEFAULT_RESTORE_TIMEOUT_MS;
  }

  /** Spent so far in the key's current period, pico-dollars (throws 503 when it cannot be restored). */
  async spentPico(keyName: string, window: PeriodWindow, sink: SpendHistory): Promise<number> {
    await this.restore(keyName, window, sink);
    return (await this.counters.get(counterName(keyName, window))).spentPico;
  }

  /** Throws 429 insufficient_quota when spend plus the holds of requests in flight reached the budget. */
  async check(keyName: string, limits: CallerLimits | undefined, sink: SpendHistory): Promise<void> {
    if (!hasBudget(limits)) return;
    const window = periodWindow(limits.budgetPeriod ?? 'monthly', this.now());
    await this.restore(keyName, window, sink);
    const level = await this.counters.get(counterName(keyName, window));
    if (level.spentPico + level.reservedPico < usdToPico(limits.budgetUsd)) return;
    throw exhausted(keyName, limits.budgetUsd, window, level.spentPico, level.reservedPico);
  }

  /**
   * Reserves `amountPico` for a request (raising `hold` when the request already has one, e.g. a fallback to a
   * dearer model): admitted while spent + the other requests' holds is below the budget, else 429.
   */
  async reserve(keyName: string, limits: CallerLimits & { budgetUsd: number }, amountPico: number, sink: SpendHistory, hold?: BudgetHold): Promise<BudgetHold> {
    const window = periodWindow(limits.budgetPeriod ?? 'monthly', this.now());
    const counter = hold?.counter ?? counterName(keyName, window);
    await this.restore(keyName, window, sink);
    const holdId = hold?.holdId ?? randomUUID();
    const result = await this.counters.reserve(counter, holdId, amountPico, usdToPico(limits.budgetUsd), { holdTtlMs: this.holdTtlMs, ttlMs: window.ttlMs });
    if (!result.admitted) throw exhausted(keyName, limits.budgetUsd, window, result.spentPico, result.reservedPico);
    if (hold) {
      hold.amountPico = Math.max(hold.amountPico, amountPico);
      // Once a hold was taken locally only, Redis may or may not have it: settle it as not shared.
      hold.shared &&= result.shared;
      return hold;
    }
    return { counter, holdId, amountPico, shared: result.shared, ttlMs: window.ttlMs, settled: false };
  }

  /**
   * Releases the request's hold and adds its real cost, once: a second call for the same hold does nothing. A
   * request without a hold (its budget appeared mid-request, through a reload) is charged to the current period.
   */
  async settle(hold: BudgetHold | undefined, costPico: number, keyName?: string, limits?: CallerLimits): Promise<void> {
    if (hold) {
      if (hold.settled) return;
      hold.settled = true;
      await this.counters.settle(hold.counter, hold.holdId, costPico, { shared: hold.shared, ttlMs: hold.ttlMs });
      return;
    }
    if (keyName === undefined || !hasBudget(limits) || costPico <= 0) return;
    const window = periodWindow(limits.budgetPeriod ?? 'monthly', this.now());
    await this.counters.settle(counterName(keyName, window), randomUUID(), costPico, { shared: false, ttlMs: window.ttlMs });
  }

  async close(): Promise<void> {
    await this.counters.close();
  }

  /**
   * Restores the counter from the sink once per start. When the sink cannot say (down, slow), a counter that
   * already exists in the store (another instance restored it) is trusted; otherwise the request is refused with
   * 503 and the next request tries again. Never counts from zero: that would hand the key a fresh budget.
   */
  private restore(keyName: string, window: PeriodWindow, sink: SpendHistory): Promise<void> {
    const name = counterName(keyName, window);
    if (this.restored.has(name)) return Promise.resolve();
    let done = this.restoring.get(name);
    if (!done) {
      done = this.restoreFromSink(keyName, name, window, sink).finally(() => this.restoring.delete(name));
      this.restoring.set(name, done);
    }
    return done;
  }

  private async restoreFromSink(keyName: string, name: string, window: PeriodWindow, sink: SpendHistory): Promise<void> {
    try {
      if (this.options.trustExisting && (await this.counters.exists(name))) return void this.restored.add(name);
      const pico = await withTimeout(sink.costSince(keyName, window.start), this.restoreTimeoutMs);
      await this.counters.seed(name, pico, window.ttlMs);
    } catch {
      if (!(await this.counters.exists(name))) {
        this.options.onUnrestored?.(keyName);
        throw errors.budgetUnrestored(keyName, window.name);
      }
    }
    this.restored.add(name);
  }
}

function exhausted(keyName: string, budgetUsd: number, window: PeriodWindow, spentPico: number, reservedPico: number) {
  const since = window.name === 'total' ? '' : ` since ${new Date(window.start).toISOString().slice(0, 10)}`;
  const inFlight = reservedPico > 0 ? `, $${formatPicoUsd(reservedPico)} more reserved by requests in flight` : '';
  return errors.budgetExhausted(
    `The key "${keyName}" has used its ${window.name} budget of $${budgetUsd} (spent $${(spentPico / 1e12).toFixed(6)}${since}${inFlight}).`,
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function counterName(keyName: string, window: PeriodWindow): string {
  return `${keyName}:${window.id}`;
}
