/** Feedback in this process only: for tests, and for a single gateway that may forget ratings on restart. */
import type { FeedbackStore, Rating, ServedRequest } from '../feedback-store';

/** @example const store = new MemoryFeedbackStore(); */
export class MemoryFeedbackStore implements FeedbackStore {
  readonly kind = 'memory';
  private readonly servedById = new Map<string, ServedRequest>();
  private ratings: Rating[] = [];
  private readonly rated = new Set<string>();

  async noteServed(batch: readonly ServedRequest[]): Promise<void> {
    for (const s of batch) this.servedById.set(s.requestId, s);
  }

  async served(requestId: string): Promise<ServedRequest | undefined> {
    return this.servedById.get(requestId);
  }

  async addRating(rating: Rating): Promise<boolean> {
    if (this.rated.has(rating.requestId)) return false;
    this.rated.add(rating.requestId);
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
    for (const [id, s] of this.servedById) if (s.at < before) this.servedById.delete(id);
    const kept: Rating[] = [];
    for (const r of this.ratings) {
      if (r.at >= before) kept.push(r);
      else this.rated.delete(r.requestId);
    }
    this.ratings = kept;
  }

  async close(): Promise<void> {}
}
