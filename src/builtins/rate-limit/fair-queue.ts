/**
 * Shaping instead of rejecting: a request that finds its buckets empty waits here until they refill, up to its
 * deadline. Waiters are grouped in lanes (one per key) served round-robin, so one busy key cannot starve the
 * others; within a lane, requests go first come, first served.
 */
import type { AbortSource, BucketSpec, TakeResult, TokenBuckets } from '../../plugin-api';

/** Thrown when a request cannot get its slot before its deadline. */
export class QueueTimeout extends Error {
  constructor(
    /** The last denial: what was blocking and how long it still needed. */
    readonly lastDenial: TakeResult,
  ) {
    super('rate limit wait exceeded');
  }
}

interface Waiter {
  specs: readonly BucketSpec[];
  deadline: number;
  lastDenial: TakeResult;
  resolve(result: TakeResult): void;
  reject(err: Error): void;
  signal?: AbortSource;
  onAbort?: () => void;
}

/**
 * @example
 * const queue = new FairQueue(buckets);
 * const taken = await queue.admit('team-a', specs, Date.now() + 2000, clientAbortOf(ctx)); // or throws QueueTimeout
 */
export class FairQueue {
  private readonly lanes = new Map<string, Waiter[]>();
  private pumping = false;
  private wake: (() => void) | undefined;

  /** `onDepth` is told the number of waiters whenever it changes (for the queue-depth gauge). */
  constructor(
    private readonly buckets: TokenBuckets,
    private readonly onDepth: (waiting: number) => void = () => {},
  ) {}

  /** Requests waiting right now. */
  get waiting(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.length;
    return n;
  }

  async admit(lane: string, specs: readonly BucketSpec[], deadline: number, signal?: AbortSource): Promise<TakeResult> {
    return this.admitSoon(lane, specs, deadline, signal);
  }

  /**
   * `admit`, but the answer itself rather than a promise of it when nobody is waiting and in-process buckets
   * allow at once: the common case, on every request, which then costs no promise and no microtask turn (see
   * the pipeline's HookStage for the measurement). Failures are always a rejected promise.
   */
  admitSoon(lane: string, specs: readonly BucketSpec[], deadline: number, signal?: AbortSource): TakeResult | Promise<TakeResult> {
    // Nobody waiting: try at once (the common case costs one take). Otherwise queue up behind the others.
    if (this.lanes.size === 0) {
      let taken: TakeResult | Promise<TakeResult>;
      try {
        taken = this.buckets.take(specs);
      } catch (err) {
        return Promise.reject(err as Error);
      }
      if (!(taken instanceof Promise) && taken.allowed) return taken; // in-process buckets answer at once
      return this.afterDenial(lane, specs, deadline, taken, signal);
    }
    return this.enqueue(lane, specs, deadline, { allowed: false, waitMs: 0, levels: [] }, signal);
  }

  private async afterDenial(
    lane: string,
    specs: readonly BucketSpec[],
    deadline: number,
    taken: TakeResult | Promise<TakeResult>,
    signal?: AbortSource,
  ): Promise<TakeResult> {
    const first = await taken;
    if (first.allowed) return first;
    if (Date.now() + first.waitMs > deadline) throw new QueueTimeout(first);
    return this.enqueue(lane, specs, deadline, first, signal);
  }

  private enqueue(lane: string, specs: readonly BucketSpec[], deadline: number, lastDenial: TakeResult, signal?: AbortSource): Promise<TakeResult> {
    return new Promise<TakeResult>((resolve, reject) => {
      const waiter: Waiter = { specs, deadline, lastDenial, resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          this.remove(lane, waiter);
          reject(new Error('client went away while waiting for a rate limit slot'));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      const waiters = this.lanes.get(lane);
      if (waiters) waiters.push(waiter);
      else this.lanes.set(lane, [waiter]);
      this.onDepth(this.waiting);
      this.wake?.();
      if (!this.pumping) void this.pump();
    });
  }

  private remove(lane: string, waiter: Waiter): void {
    const waiters = this.lanes.get(lane);
    if (!waiters) return;
    const i = waiters.indexOf(waiter);
    if (i >= 0) waiters.splice(i, 1);
    if (waiters.length === 0) this.lanes.delete(lane);
    this.onDepth(this.waiting);
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.lanes.size > 0) {
        let sleepMs = this.answerExpired() - Date.now();
        // One round: the head of every lane gets one try. Map order is the round-robin order; a lane that was
        // served moves to the back.
        for (const [lane, waiters] of [...this.lanes]) {
          const waiter = waiters[0];
          if (!waiter) continue;
          const now = Date.now();
          if (now >= waiter.deadline) {
            this.remove(lane, waiter);
            waiter.reject(new QueueTimeout(waiter.lastDenial));
            continue;
          }
          let result: TakeResult;
          try {
            result = await this.buckets.take(waiter.specs);
          } catch (err) {
            // A take the buckets refuse (InvalidBucketCharge) fails this waiter, not the pump and everyone behind it.
            this.remove(lane, waiter);
            waiter.reject(err as Error);
            continue;
          }
          if (result.allowed) {
            this.remove(lane, waiter);
            const rest = this.lanes.get(lane);
            if (rest) {
              this.lanes.delete(lane);
              this.lanes.set(lane, rest);
            }
            waiter.resolve(result);
            sleepMs = 0;
            continue;
          }
          waiter.lastDenial = result;
          if (Date.now() + result.waitMs > waiter.deadline) {
            // It cannot make it in time: answer now instead of holding the connection until the deadline.
            this.remove(lane, waiter);
            waiter.reject(new QueueTimeout(result));
            continue;
          }
          sleepMs = Math.min(sleepMs, result.waitMs, waiter.deadline - Date.now());
        }
        if (sleepMs > 0 && this.lanes.size > 0) await this.sleep(sleepMs);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Answers every waiter whose deadline passed (wherever it is in its lane); returns the nearest deadline left. */
  private answerExpired(): number {
    const now = Date.now();
    let nearest = Number.POSITIVE_INFINITY;
    for (const [lane, waiters] of [...this.lanes]) {
      for (const waiter of [...waiters]) {
        if (now < waiter.deadline) {
          nearest = Math.min(nearest, waiter.deadline);
          continue;
        }
        this.remove(lane, waiter);
        waiter.reject(new QueueTimeout(waiter.lastDenial));
      }
    }
    return nearest;
  }

  /** Sleeps, but wakes early when a new request joins (it may fit right away). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, Math.min(ms, 60_000)));
      this.wake = done;
    });
  }
}
