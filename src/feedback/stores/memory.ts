/** Feedback in this process only: for tests, and for a single gateway that may forget ratings on restart. */
import { slotOf, type FeedbackStore, type Rating, type ServedRequest } from '../feedback-store';

/** @example const store = new MemoryFeedbackStore(); */
export class MemoryFeedbackStore implements FeedbackStore {
  readonly kind = 'memory';
  /** By `slotOf(keyName, requestId)`, as `rated`. */
  private readonly servedBySlot = new Map<string, ServedRequest>();
  private ratings: Rating[] = [];
  private readonly rated = new Set<string>();

  async noteServed(batch: readonly ServedRequest[]): Promise<void> {
    for (const s of batch) {
      const slot = slotOf(s.keyName, s.requestId);
      if (!this.servedBySlot.has(slot)) this.servedBySlot.set(slot, s);
    }
  }

  async served(keyName: string | null, requestId: string): Promise<ServedRequest | undefined> {
    return this.servedBySlot.get(slotOf(keyName, requestId));
  }

  async addRating(rating: Rating): Promise<boolean> {
    const slot = slotOf(rating.keyName, rating.requestId);
    if (this.rated.has(slot)) return false;
    this.rated.add(slot);
    this.ratings.push(rating);
    return true;
  }

  async ratingsSince(since: number): Promise<Rating[]> {
    return this.ratings.filter((r) => r.at >= since);
  }

  /**
   * Also forgets ratings given before `before`: their requests were served earlier still, so they can no longer be
   * rated (the service refuses them as expired) and the book already holds them. Without this a long-running
   * gateway kept every rating ever given.
   */
  async purge(before: number): Promise<void> {
    for (const [slot, s] of this.servedBySlot) if (s.at < before) this.servedBySlot.delete(slot);
    const kept: Rating[] = [];
    for (const r of this.ratings) {
      if (r.at >= before) kept.push(r);
      else this.rated.delete(slotOf(r.keyName, r.requestId));
    }
    this.ratings = kept;
  }

  async close(): Promise<void> {}
}
