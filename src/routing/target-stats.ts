/**
 * Live statistics per target (provider/model) that strategies read: a decaying average of time to first
 * byte, and the number of requests in flight. Kept in the StateRegistry so a config reload keeps them. With
 * `--workers`, each worker sends the others what it measured every second (cluster/routing-sync.ts): the
 * averages and in-flight counts then cover all workers, up to a second late.
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
 * What one worker measured since its last report: per target the samples' count and mean, and its requests in
 * flight now (every target it has any on, and those it reported non-zero last time, so a peer sees them end).
 */
export interface StatsReport {
  samples: [key: string, count: number, meanMs: number][];
  inFlight: [key: string, count: number][];
}

/**
 * @example
 * const stats = new TargetStats();
 * const done = stats.begin('deepseek/deepseek-chat');
 * stats.recordTtfb('deepseek/deepseek-chat', 420);
 * done();
 */
export class TargetStats {
  private readonly entries = new Map<string, TargetEntry>();
  /** Other workers' requests in flight, by worker id, as they last reported them. */
  private readonly peers = new Map<number, Map<string, number>>();
  /** This worker's samples since its last report (collected only while `sharing`). */
  private fresh = new Map<string, { count: number; sumMs: number }>();
  private reportedInFlight = new Set<string>();
  /** Set by cluster/routing-sync.ts in a worker: collect samples for `report`. */
  sharing = false;

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
    if (!this.sharing) return;
    const f = this.fresh.get(key);
    if (f) {
      f.count++;
      f.sumMs += ms;
    } else this.fresh.set(key, { count: 1, sumMs: ms });
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

  /** Requests in flight on the target: this worker's now, plus the other workers' as last reported. */
  inFlight(key: string): number {
    let n = this.entries.get(key)?.inFlight ?? 0;
    for (const peer of this.peers.values()) n += peer.get(key) ?? 0;
    return n;
  }

  /**
   * What to tell the other workers, and forgets the samples it holds; undefined when there is nothing new.
   *
   * @example const r = stats.report(); if (r) broadcast('stats', { from: workerId(), ...r });
   */
  report(): StatsReport | undefined {
    const samples: StatsReport['samples'] = [...this.fresh].map(([key, f]) => [key, f.count, f.sumMs / f.count]);
    this.fresh = new Map();
    const inFlight: StatsReport['inFlight'] = [];
    const nonZero = new Set<string>();
    for (const [key, e] of this.entries) {
      if (e.inFlight > 0) nonZero.add(key);
      if (e.inFlight > 0 || this.reportedInFlight.has(key)) inFlight.push([key, e.inFlight]);
    }
    this.reportedInFlight = nonZero;
    return samples.length === 0 && inFlight.length === 0 ? undefined : { samples, inFlight };
  }

  /**
   * Takes in another worker's report: its samples move the averages here as if measured here (a batch of n
   * samples of mean m counts as n samples of m), its in-flight counts replace what it reported before.
   */
  applyPeer(peer: number, report: StatsReport): void {
    for (const [key, count, meanMs] of report.samples) {
      const e = this.entry(key);
      e.ttfbMs = e.ttfbMs === undefined ? meanMs : meanMs + (e.ttfbMs - meanMs) * (1 - DECAY) ** count;
      e.samples += count;
    }
    let inFlight = this.peers.get(peer);
    if (!inFlight) this.peers.set(peer, (inFlight = new Map()));
    for (const [key, count] of report.inFlight) {
      if (count > 0) inFlight.set(key, count);
      else inFlight.delete(key);
    }
  }

  /** A worker exited: its requests in flight ended with it. */
  forgetPeer(peer: number): void {
    this.peers.delete(peer);
  }

  /** For /health/ready. */
  describe(): Record<string, { ttfb_ms?: number; samples: number; in_flight: number }> {
    return Object.fromEntries(
      [...this.entries].map(([k, e]) => [
        k,
        { ttfb_ms: e.ttfbMs === undefined ? undefined : Math.round(e.ttfbMs), samples: e.samples, in_flight: this.inFlight(k) },
      ]),
    );
  }
}
