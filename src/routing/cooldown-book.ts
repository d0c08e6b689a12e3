/**
 * Circuit-breaker state per key (a target "provider/model", or a whole provider "provider:*"): failures in a
 * sliding window trip it, a tripped key is skipped until its cooldown ends, then exactly one probe decides.
 */
import type { CooldownPolicy } from './policy';

interface Breaker {
  /** Times of recent failures, oldest first. */
  failures: number[];
  /** While now < openUntil the key is skipped; after it, the key is half-open. 0 = closed. */
  openUntil: number;
  /** How long the last trip lasted, reused when a probe fails. */
  lastDurationMs: number;
  /** A probe request is in flight (half-open). */
  probing: boolean;
  reason: string;
}

/** Whether a request may use a key now: normally, as the half-open probe, or not at all. */
export type Admission = 'closed' | 'probe' | 'skip';

export interface CooldownView {
  target: string;
  state: 'cooling_down' | 'half_open';
  /** Seconds until a probe is allowed (0 when half-open). */
  remaining_s: number;
  reason: string;
}

/**
 * @example
 * const book = new CooldownBook();
 * book.recordFailure('deepseek/deepseek-chat', { failures: 3, windowMs: 60_000, durationMs: 30_000 }, 'HTTP 503');
 * book.admit('deepseek/deepseek-chat'); // 'closed' until the third failure, then 'skip'
 */
/** What one book tells the others (the other worker processes of one gateway; see cluster/routing-sync.ts). */
export type CooldownEvent = { op: 'cool'; key: string; ms: number; reason: string } | { op: 'close'; key: string };

export class CooldownBook {
  private readonly breakers = new Map<string, Breaker>();
  /** Told of every trip and every close decided here (not of those applied from a peer). */
  onChange?: (event: CooldownEvent) => void;

  constructor(private readonly now: () => number = Date.now) {}

  private breaker(key: string): Breaker {
    let b = this.breakers.get(key);
    if (!b) {
      b = { failures: [], openUntil: 0, lastDurationMs: 0, probing: false, reason: '' };
      this.breakers.set(key, b);
    }
    return b;
  }

  /** Decides, and for a probe reserves, the use of a key. Call settle-functions afterwards. */
  admit(key: string): Admission {
    const b = this.breakers.get(key);
    if (!b || b.openUntil === 0) return 'closed';
    if (this.now() < b.openUntil || b.probing) return 'skip';
    b.probing = true;
    return 'probe';
  }

  /** Without reserving anything: would `admit` skip this key? */
  isSkipped(key: string): boolean {
    const b = this.breakers.get(key);
    return !!b && b.openUntil !== 0 && (this.now() < b.openUntil || b.probing);
  }

  /** The upstream answered: a probe closes the breaker, and the failure history is forgotten. */
  recordSuccess(key: string): void {
    const b = this.breakers.get(key);
    if (!b) return;
    if (b.openUntil !== 0 && !b.probing && this.now() < b.openUntil) return; // an old request finishing late
    this.breakers.delete(key);
    if (b.openUntil !== 0) this.onChange?.({ op: 'close', key });
  }

  /** A failure that counts: a failed probe reopens at once; otherwise `policy.failures` in the window trip it. */
  recordFailure(key: string, policy: CooldownPolicy | undefined, reason: string): void {
    const b = this.breaker(key);
    const now = this.now();
    if (b.probing) {
      b.probing = false;
      b.openUntil = now + b.lastDurationMs;
      b.reason = `probe failed: ${reason}`;
      this.onChange?.({ op: 'cool', key, ms: b.lastDurationMs, reason: b.reason });
      return;
    }
    if (!policy) return;
    b.failures.push(now);
    while (b.failures.length > 0 && b.failures[0] <= now - policy.windowMs) b.failures.shift();
    if (b.failures.length >= policy.failures)
      this.coolFor(key, policy.durationMs, `${b.failures.length} failures in ${policy.windowMs / 1000}s, last: ${reason}`);
  }

  /** Skips a key for `ms` from now (an explicit signal: Retry-After beyond the cap, credentials rejected). */
  coolFor(key: string, ms: number, reason: string): void {
    this.cool(key, ms, reason);
    this.onChange?.({ op: 'cool', key, ms, reason });
  }

  /** Applies what a peer decided, without telling the peers again. */
  applyPeer(event: CooldownEvent): void {
    if (event.op === 'cool') this.cool(event.key, event.ms, event.reason);
    else if (!this.breakers.get(event.key)?.probing) this.breakers.delete(event.key);
  }

  private cool(key: string, ms: number, reason: string): void {
    const b = this.breaker(key);
    const until = this.now() + ms;
    b.failures = [];
    b.probing = false;
    if (until > b.openUntil) {
      b.openUntil = until;
      b.lastDurationMs = ms;
    }
    b.reason = reason;
  }

  /** Forgets a key's state at once (an active health check passed: the provider is up, whatever cooled it). */
  clear(key: string): void {
    const b = this.breakers.get(key);
    this.breakers.delete(key);
    if (b && b.openUntil !== 0) this.onChange?.({ op: 'close', key }); // peers (cluster workers) clear it too
  }

  /** A probe ended without a verdict (the client left): let the next request probe. */
  releaseProbe(key: string): void {
    const b = this.breakers.get(key);
    if (b) b.probing = false;
  }

  /** ms until the key may be probed; 0 when it is not cooling down. */
  remainingMs(key: string): number {
    const b = this.breakers.get(key);
    return b && b.openUntil !== 0 ? Math.max(0, b.openUntil - this.now()) : 0;
  }

  /** Keys cooling down or half-open, for /health/ready. */
  describe(): CooldownView[] {
    const now = this.now();
    return [...this.breakers]
      .filter(([, b]) => b.openUntil !== 0)
      .map(([target, b]) => ({
        target,
        state: now < b.openUntil ? ('cooling_down' as const) : ('half_open' as const),
        remaining_s: Math.max(0, Math.ceil((b.openUntil - now) / 100) / 10),
        reason: b.reason,
      }));
  }
}
