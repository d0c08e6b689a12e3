/**
 * Spend per key and budget period, checked before a request and added to after it. Counters live in memory or
 * Redis (shared by every instance) and are restored from the spend sink the first time a key is seen after a
 * start, so a restart does not hand every key a fresh budget.
 */
import { errors, NANO_PER_USD, type RequestVariables, type SpendCounters, type SpendSink, PICO_PER_USD } from '../../plugin-api';

/** Where past spend is read from: the spend log (journal + sink), or a sink itself. */
type SpendHistory = Pick<SpendSink, 'costSince'>;
import { periodWindow, type PeriodWindow } from './budget-period';

/** A key's budget, as the auth plugin sets it (`ctx.get('callerLimits')`). */
type CallerLimits = Pick<RequestVariables['callerLimits'], 'budgetUsd' | 'budgetPeriod'>;

/**
 * Whether the key has a budget at all: the cost-log hooks ask first, so a key without one costs them no promise.
 *
 * @example if (hasBudget(ctx.get('callerLimits'))) await ledger.check(name, ctx.get('callerLimits'), sink);
 */
export function hasBudget(limits: CallerLimits | undefined): limits is CallerLimits & { budgetUsd: number } {
  return limits?.budgetUsd !== undefined;
}

/**
 * @example
 * const ledger = new BudgetLedger(new MemorySpendCounters());
 * await ledger.check('team-a', { budgetUsd: 25, budgetPeriod: 'monthly' }, sink); // throws 429 when spent
 * await ledger.add('team-a', 'monthly', 0.0045, sink);
 */
export class BudgetLedger {
  private readonly restored = new Map<string, Promise<void>>();

  constructor(
    readonly counters: SpendCounters,
    private readonly now: () => number = Date.now,
  ) {}

  /** Spent so far in the key's current period, USD. */
  async spentUsd(keyName: string, window: PeriodWindow, sink: SpendHistory): Promise<number> {
    await this.restore(keyName, window, sink);
    return (await this.counters.get(counterName(keyName, window))) / NANO_PER_USD;
  }

  /** Throws 429 insufficient_quota when the key's spend reached its budget. */
  async check(keyName: string, limits: CallerLimits | undefined, sink: SpendHistory): Promise<void> {
    if (!hasBudget(limits)) return;
    const window = periodWindow(limits.budgetPeriod ?? 'monthly', this.now());
    const spent = await this.spentUsd(keyName, window, sink);
    if (spent < limits.budgetUsd) return;
    const since = window.name === 'total' ? '' : ` since ${new Date(window.start).toISOString().slice(0, 10)}`;
    throw errors.budgetExhausted(`The key "${keyName}" has used its ${window.name} budget of $${limits.budgetUsd} (spent $${spent.toFixed(6)}${since}).`);
  }

  /** Adds a request's cost to the key's counter for its budget period. */
  async add(keyName: string, limits: CallerLimits | undefined, costUsd: number, sink: SpendHistory): Promise<void> {
    if (!hasBudget(limits) || costUsd <= 0) return;
    const window = periodWindow(limits.budgetPeriod ?? 'monthly', this.now());
    await this.restore(keyName, window, sink);
    await this.counters.add(counterName(keyName, window), Math.round(costUsd * NANO_PER_USD), window.ttlMs);
  }

  async close(): Promise<void> {
    await this.counters.close();
  }

  private restore(keyName: string, window: PeriodWindow, sink: SpendHistory): Promise<void> {
    const name = counterName(keyName, window);
    let done = this.restored.get(name);
    if (!done) {
      done = sink.costSince(keyName, window.start).then(
        // costSince is in pico-dollars; the counters count nano-dollars.
        (pico) => this.counters.seed(name, Math.round(pico / (PICO_PER_USD / NANO_PER_USD)), window.ttlMs),
        () => {
          // The sink is down: count from zero for now and try again on the next request.
          this.restored.delete(name);
        },
      );
      this.restored.set(name, done);
    }
    return done;
  }
}

function counterName(keyName: string, window: PeriodWindow): string {
  return `${keyName}:${window.id}`;
}
