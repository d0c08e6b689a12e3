/**
 * Hedging against tail latency: if the first target has not answered (for a stream: sent its first chunk)
 * within `hedge_after_ms`, the same request starts on the next target; the first to answer wins and the other
 * is aborted. Only for aliases with `hedge_after_ms`: without it the routing loop makes a plain single try.
 */
import { asAbortSignal, type AbortSource } from '../upstream/abort-flag';
import type { PlannedAttempt } from './attempt-plan';
import type { TryTarget } from './try-target';

export interface Won<T> {
  value: T;
  step: PlannedAttempt;
}

/**
 * Every racer failed; the routing loop handles each failure in the order they happened.
 *
 * @example catch (err) { if (err instanceof RaceLost) for (const f of err.failures) decide(f.step, f.error); }
 */
export class RaceLost extends Error {
  constructor(readonly failures: { step: PlannedAttempt; error: unknown }[]) {
    super('every hedged attempt failed');
    this.name = 'RaceLost';
  }
}

export interface HedgeOptions<T> {
  primary: PlannedAttempt;
  /** Draws the next planned attempt for the hedge; undefined when the plan is exhausted. */
  nextStep(): PlannedAttempt | undefined;
  tryTarget: TryTarget<T>;
  /** The request's signal (client and routing deadline); each racer gets its own child of it. */
  signal: AbortSource;
  hedgeAfterMs: number;
  /** Releases a loser's late answer. */
  discard?(value: T): void;
  /** Told when a hedge starts. */
  onHedge?(primary: PlannedAttempt, hedge: PlannedAttempt): void;
}

/**
 * @example
 * const { value, step } = await tryWithHedge({ primary: step, nextStep: () => plan.next(), tryTarget, signal, hedgeAfterMs: 800 });
 */
export function tryWithHedge<T>(opts: HedgeOptions<T>): Promise<Won<T>> {
  const hedgeAfterMs = opts.hedgeAfterMs;
  return new Promise<Won<T>>((resolve, reject) => {
    const racers: { step: PlannedAttempt; controller: AbortController; settled: boolean }[] = [];
    const failures: { step: PlannedAttempt; error: unknown }[] = [];
    let winner: number | undefined;
    let timer: NodeJS.Timeout | undefined;

    const finishIfAllFailed = () => {
      if (winner === undefined && timer === undefined && racers.every((r) => r.settled)) reject(new RaceLost(failures));
    };
    const start = (step: PlannedAttempt) => {
      const index = racers.length;
      const racer = { step, controller: new AbortController(), settled: false };
      racers.push(racer);
      opts.tryTarget(step, AbortSignal.any([asAbortSignal(opts.signal), racer.controller.signal])).then(
        (value) => {
          racer.settled = true;
          if (winner !== undefined) return opts.discard?.(value);
          winner = index;
          clearTimeout(timer);
          timer = undefined;
          for (const other of racers) if (other !== racer && !other.settled) other.controller.abort(new Error('hedge lost'));
          resolve({ value, step });
        },
        (error: unknown) => {
          racer.settled = true;
          if (winner !== undefined) return;
          failures.push({ step, error });
          // The primary failed before the hedge was due: no race, the routing loop moves on as usual.
          if (index === 0 && timer !== undefined) {
            clearTimeout(timer);
            timer = undefined;
          }
          finishIfAllFailed();
        },
      );
    };

    start(opts.primary);
    timer = setTimeout(() => {
      timer = undefined;
      if (winner !== undefined || racers[0].settled || opts.signal.aborted) return finishIfAllFailed();
      const hedge = opts.nextStep();
      if (hedge) {
        opts.onHedge?.(opts.primary, hedge);
        start({ ...hedge, hedge: true });
      }
      finishIfAllFailed();
    }, hedgeAfterMs);
  });
}
