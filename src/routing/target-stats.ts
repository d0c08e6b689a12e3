/**
 * Live statistics per target (provider/model) that strategies read: a decaying average of time to first
 * byte, and the number of requests in flight. Kept in the StateRegistry so a config reload keeps them.
 */

interface TargetEntry {
  ttfbMs?: number;
  samples: number;
  inFlight: number;
}

/** Weight of the newest sample in the decaying average: recent behaviour dominates within a few requests. */
const DECAY = 0.3;
/** The least a failed attempt counts as: one failure outweighs a few fast answers, a few good answers outweigh it. */
const FAILURE_SAMPLE_MS = 1000;

/**
 * @example
 * const stats = new TargetStats();
 * const done = stats.begin('deepseek/deepseek-chat');
 * stats.recordTtfb('deepseek/deepseek-chat', 420);
 * done();
 */
export class TargetStats {
  private readonly entries = new Map<string, TargetEntry>();

  private entry(key: string): TargetEntry {
    let e = this.entries.get(key);
    if (!e) {
      e = { samples: 0, inFlight: 0 };
      this.entries.set(key, e);
    }
    return e;
  }

  recordTtfb(key: string, ms: number): void {
    const e = this.entry(key);
    e.ttfbMs = e.ttfbMs === undefined ? ms : e.ttfbMs + DECAY * (ms - e.ttfbMs);
    e.samples++;
  }

  /**
   * A failed attempt gave no first byte at all; a fast failure must not make a target look fast. It counts as
   * a slow answer: twice the current average, at least FAILURE_SAMPLE_MS, at least as long as it took.
   */
  recordFailure(key: string, elapsedMs: number): void {
    const current = this.entries.get(key)?.ttfbMs ?? 0;
    this.recordTtfb(key, Math.max(elapsedMs, 2 * current, FAILURE_SAMPLE_MS));
  }

  /** The decaying average time to first byte, or undefined before the first sample. */
  ttfb(key: string): number | undefined {
    return this.entries.get(key)?.ttfbMs;
  }

  /** Counts a request in flight; the returned function (safe to call twice) ends it. */
  begin(key: string): () => void {
    const e = this.entry(key);
    e.inFlight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      e.inFlight--;
    };
  }

  inFlight(key: string): number {
    return this.entries.get(key)?.inFlight ?? 0;
  }

  /** For /health/ready. */
  describe(): Record<string, { ttfb_ms?: number; samples: number; in_flight: number }> {
    return Object.fromEntries(
      [...this.entries].map(([k, e]) => [k, { ttfb_ms: e.ttfbMs === undefined ? undefined : Math.round(e.ttfbMs), samples: e.samples, in_flight: e.inFlight }]),
    );
  }
}
