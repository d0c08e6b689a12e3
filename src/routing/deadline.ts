/**
 * The alias's `timeout_ms`: one clock over the whole routing of a request (every try, backoff, hedge and
 * fallback). Its signal also follows the client's disconnect. Once an answer is committed the clock stops,
 * so a long stream is not cut by the routing budget.
 */
import { asAbortSignal, type AbortSource } from '../upstream/abort-flag';

/**
 * @example
 * const deadline = new RoutingDeadline(clientAbortOf(ctx), alias.policy.timeoutMs);
 * await tryTarget(step, deadline.signal);
 * deadline.commit();
 */
export class RoutingDeadline {
  readonly signal: AbortSource;
  private readonly clock = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private fired = false;

  constructor(
    clientSignal: AbortSource,
    readonly timeoutMs?: number,
  ) {
    this.signal = timeoutMs ? AbortSignal.any([asAbortSignal(clientSignal), this.clock.signal]) : clientSignal;
    if (timeoutMs) {
      this.timer = setTimeout(() => {
        this.fired = true;
        this.clock.abort(new Error(`routing timeout of ${timeoutMs} ms`));
      }, timeoutMs);
    }
  }

  /** True once the routing budget ran out. */
  get expired(): boolean {
    return this.fired;
  }

  /** The answer is chosen: stop the clock (the signal keeps following the client). */
  commit(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
