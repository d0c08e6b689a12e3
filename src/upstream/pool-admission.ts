/**
 * The wait queue in front of a provider's connection pool. undici queues a request it has no free connection
 * for without bound and without a deadline, so a provider whose connections are all held by slow streams
 * made every further client wait silently. Here each provider counts its requests in flight against the
 * pool's connection limit; past it a request waits in a bounded queue for at most `queue_timeout_ms`, and is
 * refused (a failure the routing fails over from) when the queue is full or the wait runs out.
 */
import { errors } from '../errors';
import type { AbortSource } from './abort-flag';
import { recordUpstreamQueueRefusal, recordUpstreamQueueWait, setUpstreamPoolState } from '../observability/metrics';

/** How long and how many requests may wait for a connection (per provider, from its config). */
export interface QueueLimits {
  /** Requests allowed to wait while every connection is busy; 0: refuse at once. */
  maxQueued: number;
  /** Longest wait for a free connection, ms. */
  queueTimeoutMs: number;
}

/** Frees the connection slot a request held; the first call counts, later ones do nothing. */
export type ReleaseSlot = () => void;

interface Waiter {
  since: number;
  timer: NodeJS.Timeout;
  cancel: AbortSource;
  onCancel: () => void;
  admitted: (release: ReleaseSlot) => void;
}

/**
 * @example
 * const admission = new PoolAdmission('openai', 128);
 * admission.enter({ maxQueued: 1024, queueTimeoutMs: 5000 }, attempt, (release) => dispatch(release), reject);
 */
export class PoolAdmission {
  private inFlight = 0;
  /** First come, first served; a waiter that times out or is cancelled is taken out where it stands. */
  private readonly queue: Waiter[] = [];

  constructor(
    readonly provider: string,
    readonly connections: number,
  ) {}

  /** Requests holding a connection slot now. */
  get active(): number {
    return this.inFlight;
  }

  /** Requests waiting for one. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Calls `admitted` with the slot's release once a connection is free: at once (synchronously) when one is,
   * or after a wait. Calls `refused` with a GatewayError (queue full, queue timeout) or the cancel reason.
   */
  enter(limits: QueueLimits, cancel: AbortSource, admitted: (release: ReleaseSlot) => void, refused: (err: unknown) => void): void {
    if (this.inFlight < this.connections && this.queue.length === 0) {
      this.inFlight++;
      admitted(this.releaser());
      return;
    }
    if (this.queue.length >= limits.maxQueued) {
      recordUpstreamQueueRefusal(this.provider, 'queue_full');
      refused(errors.upstreamQueueFull(this.provider, this.connections, limits.maxQueued));
      return;
    }
    const waiter: Waiter = {
      since: performance.now(),
      cancel,
      admitted,
      onCancel: () => {
        if (!this.remove(waiter)) return;
        recordUpstreamQueueWait(this.provider, (performance.now() - waiter.since) / 1000, 'cancelled');
        refused(cancel.reason instanceof Error ? cancel.reason : new Error('aborted'));
      },
      timer: setTimeout(() => {
        if (!this.remove(waiter)) return;
        recordUpstreamQueueWait(this.provider, (performance.now() - waiter.since) / 1000, 'timed_out');
        recordUpstreamQueueRefusal(this.provider, 'queue_timeout');
        refused(errors.upstreamQueueTimeout(this.provider, limits.queueTimeoutMs));
      }, limits.queueTimeoutMs),
    };
    this.queue.push(waiter);
    cancel.addEventListener('abort', waiter.onCancel);
    this.report();
  }

  /** Takes a waiter out of the queue; false when it already left (admitted, timed out or cancelled). */
  private remove(waiter: Waiter): boolean {
    const i = this.queue.indexOf(waiter);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    clearTimeout(waiter.timer);
    waiter.cancel.removeEventListener('abort', waiter.onCancel);
    this.report();
    return true;
  }

  private releaser(): ReleaseSlot {
    let released = false;
    this.report();
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.admitNext();
    };
  }

  private admitNext(): void {
    while (this.inFlight < this.connections && this.queue.length > 0) {
      const waiter = this.queue[0];
      this.remove(waiter);
      this.inFlight++;
      recordUpstreamQueueWait(this.provider, (performance.now() - waiter.since) / 1000, 'admitted');
      const release = this.releaser();
      // Not inside the undici callback that freed the slot: the next request is dispatched on a clean stack.
      queueMicrotask(() => waiter.admitted(release));
    }
    this.report();
  }

  private report(): void {
    setUpstreamPoolState(this.provider, this.inFlight, this.queue.length);
  }
}
