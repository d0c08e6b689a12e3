/**
 * The cost-log plugin's budget hooks: check a budgeted key at admission, reserve each attempt's worst-case cost
 * (priced at the attempt's own model) before it is sent, refuse an unpriced model unless the key allows it, and
 * settle the reservation to the request's real cost when it ends, whatever way it ends.
 */
import { errors, pluginOptions, priceQuery, resolvePrice, type AttemptInfo, type Logger, type PriceTable, type RequestContext } from '../../plugin-api';
import { BudgetLedger, hasBudget, type BudgetHold, type SpendHistory } from './budget-ledger';
import { worstCasePico, type WorstCaseOptions } from './budget-reservation';

/** One request's reservation, serialised: hedged attempts reserve one after the other, on one hold. */
interface RequestReservation {
  hold?: BudgetHold;
  /** The last reserve of this request; the next one waits for it. */
  chain: Promise<unknown>;
  /** An attempt was refused by the budget (nothing was sent). */
  refused: boolean;
}

declare module '../../plugin-api' {
  interface RequestVariables {
    /** The request's hold on its key's budget (cost-log plugin). */
    budgetReservation: RequestReservation;
  }
}

/**
 * Whether any request may carry a budget under this config: with the built-in auth plugin, only when one of its
 * keys has `budget_usd`; with another auth plugin (which may set `callerLimits` itself), always. Without budgets
 * cost-log registers no beforeAttempt hook, so an attempt costs the pipeline nothing extra.
 *
 * @example configMayHaveBudgets({ plugins: [{ use: 'auth', keys: [{ name: 'a', key: 'k' }] }] }) // false
 */
export function configMayHaveBudgets(config: Readonly<Record<string, unknown>>): boolean {
  const auth = pluginOptions(config, 'auth');
  if (!auth) return true;
  const keys: unknown = auth.keys;
  return Array.isArray(keys) && keys.some((k: unknown) => typeof k === 'object' && k !== null && (k as { budget_usd?: unknown }).budget_usd !== undefined);
}

export interface BudgetGuardOptions extends WorstCaseOptions {
  /** Default for keys that do not say: may a budgeted key use a model without a price (counted as $0)? */
  allowUnpriced?: boolean;
}

/**
 * @example
 * const guard = new BudgetGuard(ledger, prices, env.config, () => spendLog, { defaultMaxOutputTokens: 1024 }, env.log);
 * // beforeAttempt(ctx, attempt) { return guard.reserve(ctx, attempt); }
 */
export class BudgetGuard {
  constructor(
    readonly ledger: BudgetLedger,
    private readonly prices: PriceTable,
    private readonly config: Readonly<Record<string, unknown>>,
    private readonly sink: () => SpendHistory,
    private readonly options: BudgetGuardOptions,
    private readonly log: Logger,
  ) {}

  /** At admission: 429 when spend plus holds reached the budget, 503 when it cannot be known. */
  admit(ctx: RequestContext): Promise<void> | undefined {
    const limits = ctx.get('callerLimits');
    if (!ctx.caller || !hasBudget(limits)) return undefined;
    return this.ledger.check(ctx.caller.keyName, limits, this.sink());
  }

  /**
   * Before an attempt: reserve its worst case at its model's price (a fallback to a dearer model raises the
   * hold). Per attempt rather than at admission because only then is the model, and so the price, certain.
   */
  reserve(ctx: RequestContext, attempt: AttemptInfo): Promise<void> | undefined {
    const limits = ctx.get('callerLimits');
    const caller = ctx.caller;
    if (!caller || !hasBudget(limits)) return undefined;
    // The provider has not said yet which model it serves: the target's model, else its `price:` override.
    const price = resolvePrice(this.prices, priceQuery(this.config, attempt))?.price;
    const reservation = this.reservationOf(ctx);
    if (!price) {
      if (ctx.get('callerLimits')?.allowUnpriced ?? this.options.allowUnpriced ?? false) return undefined;
      reservation.refused = true;
      throw errors.budgetModelUnpriced(caller.keyName, attempt.model);
    }
    const amount = worstCasePico(ctx.endpoint, attempt.body, price, this.options);
    const next = reservation.chain
      .catch(() => undefined)
      .then(() => this.ledger.reserve(caller.keyName, limits, amount, this.sink(), reservation.hold))
      .then(
        (hold) => {
          reservation.hold = hold;
        },
        (err: unknown) => {
          reservation.refused = true;
          throw err;
        },
      );
    reservation.chain = next;
    return next;
  }

  /** Whether the budget turned the request away before anything was sent (so it is not spend). */
  refusedUnsent(ctx: RequestContext): boolean {
    return ctx.get('budgetReservation')?.refused === true && !ctx.servedBy;
  }

  /**
   * When the request ended: release its hold and charge `costPico`. A cost that is unknown although the model
   * had a price (the answer carried no usage: a stream cut before its usage chunk) is charged at the hold, the
   * worst case: an abort must never be free. No promise for a request that has nothing to settle.
   */
  settle(ctx: RequestContext, costPico: number | null): Promise<void> | undefined {
    const reservation = ctx.get('budgetReservation');
    if (!ctx.caller || (!reservation && !hasBudget(ctx.get('callerLimits')))) return undefined;
    return this.settleHold(ctx, ctx.caller.keyName, reservation, costPico);
  }

  private async settleHold(ctx: RequestContext, keyName: string, reservation: RequestReservation | undefined, costPico: number | null): Promise<void> {
    const limits = ctx.get('callerLimits');
    await reservation?.chain.catch(() => undefined);
    const hold = reservation?.hold;
    const charge = costPico ?? (ctx.servedBy && hold ? hold.amountPico : 0);
    try {
      await this.ledger.settle(hold, charge, keyName, limits);
    } catch (err) {
      this.log.warn('cost-log: could not settle a budget reservation; it expires by itself', {
        request_id: ctx.id,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private reservationOf(ctx: RequestContext): RequestReservation {
    let reservation = ctx.get('budgetReservation');
    if (!reservation) {
      reservation = { chain: Promise.resolve(), refused: false };
      ctx.set('budgetReservation', reservation);
    }
    return reservation;
  }
}
