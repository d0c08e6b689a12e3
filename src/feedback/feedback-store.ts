/**
 * Where feedback lives: which request was served by what (so a rating can be attributed, and only by the key
 * that made the request), and the ratings themselves. Both are keyed by (caller key, request id): the id can be
 * chosen by the client (x-request-id), so a key that learnt another key's id and sent a request under it must
 * get a note of its own, never replace the other's or rate it. Memory for tests and one process; SQLite (the default,
 * a file beside the config), PostgreSQL or Redis so ratings survive restarts and reach every instance.
 */
import type { ComplexityTier } from '../config/routing-schema';

/** What served one request, noted when it completed. */
export interface ServedRequest {
  requestId: string;
  /** The caller's key name; null without an auth plugin. */
  keyName: string | null;
  /** The alias that served (after rules and fallbacks). */
  alias: string;
  /** "provider/model". */
  target: string;
  tier: ComplexityTier;
  /** ms since epoch. */
  at: number;
}

/** One rating, as stored. */
export interface Rating {
  requestId: string;
  /** The key that made the request (and so gave the rating); null without an auth plugin. */
  keyName: string | null;
  alias: string;
  target: string;
  tier: ComplexityTier;
  /** 0…1 (thumbs up = 1, down = 0). */
  score: number;
  label: string | null;
  /** ms since epoch. */
  at: number;
}

/**
 * @example
 * await store.noteServed([{ requestId, keyName: 'team-a', alias: 'chat', target: 'openai/gpt-4o', tier: 'simple', at: Date.now() }]);
 * const served = await store.served('team-a', requestId);
 */
export interface FeedbackStore {
  readonly kind: string;
  /** Resolves once the store can take commands (a network store connecting); absent when it always can. */
  ready?(): Promise<void>;
  /** Keeps the first note for each (key, request id): a later request under the same id does not replace it. */
  noteServed(batch: readonly ServedRequest[]): Promise<void>;
  /** The note `keyName` made under `requestId`; undefined when unknown or expired (another key's note is unknown). */
  served(keyName: string | null, requestId: string): Promise<ServedRequest | undefined>;
  /** false when that key's request was already rated (one rating per request). */
  addRating(rating: Rating): Promise<boolean>;
  /** Ratings given at or after `since` (ms), oldest first: rebuilds the estimates and picks up other instances'. */
  ratingsSince(since: number): Promise<Rating[]>;
  /** Removes served notes older than `before` (ms). */
  purge(before: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * One key's request id as a single map key, unambiguous for any name and id (the name's length leads). Null (no
 * auth plugin) is the empty name, which the auth plugin refuses for a real key.
 *
 * @example slotOf('team-a', 'req-1') // '6:team-areq-1'
 */
export function slotOf(keyName: string | null, requestId: string): string {
  const name = keyName ?? '';
  return `${name.length}:${name}${requestId}`;
}
