/**
 * The hook timeout's clock: one sweeping timer for every hook call in flight, instead of a setTimeout and a
 * clearTimeout per call. Every request runs several asynchronous hooks, and a timer pair costs about 0.5 µs each
 * time (measured), three times a Set entry's add and delete. The sweep runs only while some call is watched, every
 * quarter of the timeout, and counts its runs instead of reading a clock: a call expires at the fifth sweep after
 * it started, between 1 and 1.25 timeouts later.
 */

/** Sweeps per timeout; a call expires after one more, so never before its full timeout. */
const SWEEPS = 4;

/** One watched hook call: expires at sweep number `deadline` unless it was unwatched before. */
export interface WatchedCall {
  deadline: number;
  expire(): void;
}

/**
 * @example
 * const watchdog = new HookWatchdog(30_000);
 * const call = { deadline: 0, expire: () => reject(errors.pluginTimeout('cache', 'onRequest', 30_000)) };
 * watchdog.watch(call); … watchdog.unwatch(call);
 */
export class HookWatchdog {
  private readonly calls = new Set<WatchedCall>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private sweeps = 0;

  constructor(readonly timeoutMs: number) {}

  /** Starts (or restarts) the call's timeout from now. */
  watch(call: WatchedCall): void {
    call.deadline = this.sweeps + SWEEPS + 1;
    this.calls.add(call);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), Math.max(1, this.timeoutMs / SWEEPS));
      this.timer.unref?.();
    }
  }

  unwatch(call: WatchedCall): void {
    this.calls.delete(call);
  }

  private sweep(): void {
    const now = ++this.sweeps;
    for (const call of this.calls) {
      if (call.deadline > now) continue;
      this.calls.delete(call);
      call.expire();
    }
    if (this.calls.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
