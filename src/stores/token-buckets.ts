/**
 * Token buckets for rate limits: the shared types and the in-process implementation. A bucket holds one
 * minute's allowance and refills continuously; a request takes from several buckets at once (key, alias,
 * provider), all or nothing, so a denied request never half-spends.
 */

/** One bucket a request must take from. */
export interface BucketSpec {
  /** Unique name, e.g. "key:team-a:rpm". */
  id: string;
  /** Size of the bucket: the per-minute limit. */
  capacity: number;
  /** Refill speed in units per millisecond. */
  refillPerMs: number;
  /** Units this request takes (1 for a request bucket, the token estimate for a token bucket). */
  cost: number;
}

/** A bucket's level after a take, for the x-ratelimit-* headers. */
export interface BucketLevel {
  id: string;
  capacity: number;
  /** Whole units left (may be negative after a correction). */
  remaining: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
}

export interface TakeResult {
  allowed: boolean;
  /** When denied: milliseconds until every bucket could cover its cost. */
  waitMs: number;
  /** When denied: the bucket that needs the longest wait. */
  blockingId?: string;
  levels: BucketLevel[];
}

/** A correction after the real usage is known: positive `delta` takes more, negative gives back. */
export interface BucketAdjustment {
  id: string;
  capacity: number;
  refillPerMs: number;
  delta: number;
}

/** Where buckets live: this process, or Redis for several gateway instances. */
export interface TokenBuckets {
  /**
   * In-process buckets answer at once (no promise round trip on every request); shared ones asynchronously.
   * A spec with a non-finite or negative cost is refused with InvalidBucketCharge (thrown, or the promise rejects).
   */
  take(specs: readonly BucketSpec[]): TakeResult | Promise<TakeResult>;
  /** Rejects with InvalidBucketCharge for a non-finite delta; no bucket is touched then. */
  adjust(adjustments: readonly BucketAdjustment[]): Promise<void>;
  close(): Promise<void>;
}

const MS_PER_MINUTE = 60_000;

/**
 * A bucket of `limit` per minute.
 *
 * @example perMinuteBucket('key:team-a:rpm', 60, 1) // { id, capacity: 60, refillPerMs: 0.001, cost: 1 }
 */
export function perMinuteBucket(id: string, limit: number, cost: number): BucketSpec {
  return { id, capacity: limit, refillPerMs: limit / MS_PER_MINUTE, cost };
}

/** A take or a correction no bucket can honour: a non-finite or negative cost, or a bucket of no real size. */
export class InvalidBucketCharge extends RangeError {
  constructor(id: string, what: string) {
    super(`rate-limit bucket "${id}": ${what}`);
    this.name = 'InvalidBucketCharge';
  }
}

function checkBucket(b: Pick<BucketSpec, 'id' | 'capacity' | 'refillPerMs'>): void {
  if (!Number.isFinite(b.capacity) || b.capacity <= 0) throw new InvalidBucketCharge(b.id, `capacity ${b.capacity} is not a positive finite number`);
  if (!Number.isFinite(b.refillPerMs) || b.refillPerMs <= 0)
    throw new InvalidBucketCharge(b.id, `refill rate ${b.refillPerMs} is not a positive finite number`);
}

/**
 * Throws InvalidBucketCharge unless every spec can be taken from: NaN compares false with everything, so a NaN
 * cost would be admitted and stored as the level, and every later request would pass; Infinity would jam the
 * bucket for good. Checked before any bucket is touched, so a refused take changes nothing.
 *
 * @example checkSpecs([perMinuteBucket('alias:chat:tpm', 1000, NaN)]) // throws InvalidBucketCharge
 */
export function checkSpecs(specs: readonly BucketSpec[]): void {
  for (const s of specs) {
    checkBucket(s);
    if (!Number.isFinite(s.cost) || s.cost < 0) throw new InvalidBucketCharge(s.id, `cost ${s.cost} is not a finite, non-negative number`);
  }
}

/**
 * As checkSpecs, for corrections: a delta may be negative (tokens given back) but must be finite.
 *
 * @example checkAdjustments([{ id: 'alias:chat:tpm', capacity: 1000, refillPerMs: 1 / 60, delta: -20 }]) // fine
 */
export function checkAdjustments(adjustments: readonly BucketAdjustment[]): void {
  for (const a of adjustments) {
    checkBucket(a);
    if (!Number.isFinite(a.delta)) throw new InvalidBucketCharge(a.id, `correction ${a.delta} is not a finite number`);
  }
}

/**
 * How much of `cost` must be in the bucket before a take. A cost above the capacity would never fit, so such a
 * request waits for a full bucket and leaves it in debt instead of waiting forever.
 *
 * @example admissionNeed({ capacity: 1000, cost: 1500 }) // 1000
 */
export function admissionNeed(spec: Pick<BucketSpec, 'capacity' | 'cost'>): number {
  return Math.min(spec.cost, spec.capacity);
}

interface LocalBucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Buckets in this process's memory.
 *
 * @example
 * const buckets = new LocalTokenBuckets();
 * const r = buckets.take([perMinuteBucket('key:a:rpm', 60, 1)]);
 * r.allowed // true
 */
export class LocalTokenBuckets implements TokenBuckets {
  private readonly buckets = new Map<string, LocalBucket>();
  private takesSincePrune = 0;

  constructor(private readonly now: () => number = Date.now) {}

  take(specs: readonly BucketSpec[]): TakeResult {
    return this.takeNow(specs);
  }

  /** The synchronous core of `take`, also used as the fallback path when Redis is away. */
  takeNow(specs: readonly BucketSpec[]): TakeResult {
    checkSpecs(specs);
    const now = this.now();
    if (++this.takesSincePrune >= 1000) this.prune(now);
    const levels = specs.map((spec) => this.level(spec, now));
    let waitMs = 0;
    let blockingId: string | undefined;
    specs.forEach((spec, i) => {
      const missing = admissionNeed(spec) - levels[i];
      if (missing <= 0) return;
      const wait = Math.ceil(missing / spec.refillPerMs);
      if (wait > waitMs) {
        waitMs = wait;
        blockingId = spec.id;
      }
    });
    const allowed = waitMs === 0;
    const after = specs.map((spec, i) => {
      const tokens = allowed ? levels[i] - spec.cost : levels[i];
      if (allowed) this.buckets.set(spec.id, { tokens, updatedAt: now });
      return describeLevel(spec, tokens);
    });
    return { allowed, waitMs, blockingId, levels: after };
  }

  async adjust(adjustments: readonly BucketAdjustment[]): Promise<void> {
    this.adjustNow(adjustments);
  }

  adjustNow(adjustments: readonly BucketAdjustment[]): void {
    checkAdjustments(adjustments);
    const now = this.now();
    for (const a of adjustments) {
      const tokens = Math.min(a.capacity, this.level(a, now) - a.delta);
      this.buckets.set(a.id, { tokens, updatedAt: now });
    }
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }

  private level(spec: Pick<BucketSpec, 'id' | 'capacity' | 'refillPerMs'>, now: number): number {
    const bucket = this.buckets.get(spec.id);
    if (!bucket) return spec.capacity;
    return Math.min(spec.capacity, bucket.tokens + Math.max(0, now - bucket.updatedAt) * spec.refillPerMs);
  }

  // A bucket that has refilled completely carries no information: forget it, so memory follows active keys only.
  private prune(now: number): void {
    this.takesSincePrune = 0;
    for (const [id, bucket] of this.buckets) {
      if (bucket.tokens >= 0 && now - bucket.updatedAt > MS_PER_MINUTE * 2) this.buckets.delete(id);
    }
  }
}

/**
 * The header-facing view of a bucket at a given level.
 *
 * @example describeLevel(perMinuteBucket('k', 60, 1), 30) // { id: 'k', capacity: 60, remaining: 30, resetMs: 30000 }
 */
export function describeLevel(spec: Pick<BucketSpec, 'id' | 'capacity' | 'refillPerMs'>, tokens: number): BucketLevel {
  return {
    id: spec.id,
    capacity: spec.capacity,
    remaining: Math.floor(tokens),
    resetMs: tokens >= spec.capacity ? 0 : Math.ceil((spec.capacity - tokens) / spec.refillPerMs),
  };
}
