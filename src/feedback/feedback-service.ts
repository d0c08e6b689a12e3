/**
 * The feedback loop: notes what served each request, takes ratings for them (only from the key that made the
 * request, once each), and keeps the quality estimates the `best-value` strategy samples. Ratings go to the
 * store and into the local book at once; ratings other instances stored are picked up every `refresh_s`, and
 * at start the book is rebuilt from the store's recent ratings.
 */
import { errors } from '../errors';
import type { ComplexityTier } from '../config/routing-schema';
import type { Logger } from '../observability/logger';
import { slotOf, type FeedbackStore, type Rating, type ServedRequest } from './feedback-store';
import { QualityBook } from './quality-book';

export interface FeedbackOptions {
  halfLifeMs: number;
  /** How long a request stays rateable, ms. */
  servedTtlMs: number;
  /** How often ratings from other instances are read, ms. */
  refreshMs: number;
  now?: () => number;
}

/** Requests noted in memory for rating without a store round trip. */
const RECENT_LIMIT = 100_000;
const FLUSH_MS = 250;
/** Ratings are re-read with this much overlap, so one stored while a read ran is not missed. */
const REFRESH_OVERLAP_MS = 5_000;

/**
 * @example
 * const feedback = new FeedbackService(new MemoryFeedbackStore(), { halfLifeMs, servedTtlMs, refreshMs }, log);
 * feedback.noteServed({ requestId, keyName: null, alias: 'chat', target: 'openai/gpt-4o', tier: 'simple', at: Date.now() });
 * await feedback.rate(requestId, null, 1, 'helpful');
 */
export class FeedbackService {
  readonly book: QualityBook;
  private readonly now: () => number;
  /** By `slotOf(keyName, requestId)`. */
  private readonly recent = new Map<string, ServedRequest>();
  private pending: ServedRequest[] = [];
  /** Slots of ratings already in the book (those within the refresh overlap). */
  private readonly applied = new Map<string, number>();
  private lastRatingAt = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly started: Promise<void>;

  constructor(
    readonly store: FeedbackStore,
    private readonly options: FeedbackOptions,
    private readonly log: Logger,
  ) {
    this.now = options.now ?? Date.now;
    this.book = new QualityBook(options.halfLifeMs, this.now);
    // Ratings older than ten half-lives weigh under 0.1% and are not replayed.
    this.started = Promise.resolve(store.ready?.()).then(() => this.pull(this.now() - 10 * options.halfLifeMs));
    const flush = setInterval(() => void this.flush(), FLUSH_MS);
    const refresh = setInterval(() => void this.pull(this.lastRatingAt - REFRESH_OVERLAP_MS), options.refreshMs);
    const purge = setInterval(() => void this.store.purge(this.now() - options.servedTtlMs).catch(() => {}), 3_600_000);
    for (const t of [flush, refresh, purge]) {
      t.unref();
      this.timers.push(t);
    }
  }

  /** Resolves once the book holds the stored ratings (or the store failed to give them, logged). */
  ready(): Promise<void> {
    return this.started;
  }

  /**
   * Notes a served request (synchronous; written to the store in the next batch). A key that reuses one of its own
   * request ids keeps the first note while it is rateable, as the stores do.
   */
  noteServed(served: ServedRequest): void {
    const slot = slotOf(served.keyName, served.requestId);
    const first = this.recent.get(slot);
    if (first && first.at >= served.at - this.options.servedTtlMs) return;
    this.recent.delete(slot); // an expired first note: the id is the key's to use again
    this.recent.set(slot, served);
    if (this.recent.size > RECENT_LIMIT) this.recent.delete(this.recent.keys().next().value as string);
    this.pending.push(served);
  }

  /**
   * Records a rating of a request `keyName` made. Throws 404 for an unknown (or expired) request, and for another
   * key's (a key sees only its own requests, so it cannot even learn which ids others used); 409 when it was
   * already rated.
   */
  async rate(requestId: string, keyName: string | null, score: number, label: string | null): Promise<{ alias: string; target: string; tier: ComplexityTier }> {
    const served = await this.servedRequest(keyName, requestId);
    if (!served || served.at < this.now() - this.options.servedTtlMs) throw errors.feedbackRequestUnknown(requestId);
    const rating = { requestId, keyName, alias: served.alias, target: served.target, tier: served.tier, score, label, at: this.now() };
    let added: boolean;
    try {
      added = await this.store.addRating(rating);
    } catch (err) {
      this.log.warn('feedback: the store refused a rating', { store: this.store.kind, error: (err as Error).message });
      throw errors.feedbackStoreUnavailable();
    }
    if (!added || this.applied.has(slotOf(keyName, requestId))) throw errors.feedbackAlreadyGiven(requestId);
    this.apply(rating);
    return { alias: served.alias, target: served.target, tier: served.tier };
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.flush();
    await this.store.close();
  }

  private async servedRequest(keyName: string | null, requestId: string): Promise<ServedRequest | undefined> {
    const local = this.recent.get(slotOf(keyName, requestId));
    if (local) return local;
    try {
      return await this.store.served(keyName, requestId);
    } catch (err) {
      this.log.warn('feedback: the store could not be read', { store: this.store.kind, error: (err as Error).message });
      throw errors.feedbackStoreUnavailable();
    }
  }

  private apply(r: Rating): void {
    this.book.rate(r.alias, r.target, r.tier, r.score, r.at);
    this.applied.set(slotOf(r.keyName, r.requestId), r.at);
    if (r.at > this.lastRatingAt) this.lastRatingAt = r.at;
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.store.noteServed(batch);
    } catch (err) {
      // The notes stay rateable from memory in this process; other instances cannot see them.
      this.log.warn('feedback: served requests could not be stored', { store: this.store.kind, count: batch.length, error: (err as Error).message });
    }
  }

  private async pull(since: number): Promise<void> {
    try {
      for (const r of await this.store.ratingsSince(Math.max(0, since))) if (!this.applied.has(slotOf(r.keyName, r.requestId))) this.apply(r);
    } catch (err) {
      this.log.warn('feedback: ratings could not be read', { store: this.store.kind, error: (err as Error).message });
    }
    const forgetBefore = this.lastRatingAt - 2 * REFRESH_OVERLAP_MS;
    for (const [id, at] of this.applied) if (at < forgetBefore) this.applied.delete(id);
  }
}
