/**
 * The process-wide count of upstream answer bytes held in memory by buffered (JSON) attempts. Every attempt
 * charges what it reads and gives it back when it ends, however it ends, so memory for buffered answers is
 * bounded by `server.max_buffered_upstream_mb` rather than by how many upstreams misbehave at once.
 */
import { setUpstreamBufferedBytes } from '../observability/metrics';

/**
 * One counter shared by every provider's transport (pools outlive reloads, and so does this). The limit is
 * not stored here: each attempt passes the limit of the config snapshot it runs under.
 *
 * @example
 * const hold = upstreamBuffers.hold();
 * if (!hold.take(chunk.length, limitBytes)) abort(); // over the process-wide cap
 * hold.release(); // on success, error and abort alike
 */
export class BufferBudget {
  private used = 0;

  /** Bytes currently held by all attempts. */
  get heldBytes(): number {
    return this.used;
  }

  /** A per-attempt account: what it took is given back once, by `release`. */
  hold(): BufferHold {
    return new BufferHold(this);
  }

  /** @internal Used by BufferHold. */
  tryCharge(bytes: number, limitBytes: number): boolean {
    if (this.used + bytes > limitBytes) return false;
    this.used += bytes;
    setUpstreamBufferedBytes(this.used);
    return true;
  }

  /** @internal Used by BufferHold. */
  refund(bytes: number): void {
    this.used -= bytes;
    setUpstreamBufferedBytes(this.used);
  }
}

/** One attempt's share of the budget. */
export class BufferHold {
  private taken = 0;
  private released = false;

  constructor(private readonly budget: BufferBudget) {}

  /** Bytes this attempt holds. */
  get bytes(): number {
    return this.taken;
  }

  /** Charges `bytes` more; false (and nothing charged) when the budget's use would pass `limitBytes`. */
  take(bytes: number, limitBytes: number): boolean {
    if (this.released || !this.budget.tryCharge(bytes, limitBytes)) return false;
    this.taken += bytes;
    return true;
  }

  /** Gives everything back; later calls do nothing. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.taken > 0) this.budget.refund(this.taken);
    this.taken = 0;
  }
}

/** The one budget of the process. */
export const upstreamBuffers = new BufferBudget();
