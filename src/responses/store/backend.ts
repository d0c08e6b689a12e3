/**
 * What each storage engine (memory, SQLite, PostgreSQL, Redis) implements: records by id, no policy. Ownership and
 * retention are applied once, above every engine, by RetainedResponseStore (retained-store.ts), so the engines
 * stay small and agree on what a key may see.
 */
import type { StoredResponse } from './types';

/**
 * @example
 * await backend.put(stored, Date.now() + 30 * 86_400_000);
 * const raw = await backend.get('resp_abc'); // whoever owns it, however old
 */
export interface ResponseBackend {
  /** Names the engine in errors and logs ("sqlite", "postgres", "redis", "memory"). */
  readonly kind: string;
  /** Inserts or replaces the record with this id. `expiresAt` (ms since epoch) lets an engine with TTLs (Redis) drop it itself. */
  put(response: StoredResponse, expiresAt: number): Promise<void>;
  /** The record, whoever owns it and however old; undefined when there is none. */
  get(id: string): Promise<StoredResponse | undefined>;
  /** Removes the record; true when there was one. */
  delete(id: string): Promise<boolean>;
  /** Removes records created before `cutoff` (ms since epoch); resolves with how many (0 for engines whose TTLs do it). */
  purgeCreatedBefore(cutoff: number): Promise<number>;
  close(): Promise<void>;
}

/** The record as one JSON text, and back: every engine stores the same text, so the Response object comes back byte for byte. */
export function encodeStored(response: StoredResponse): string {
  return JSON.stringify(response);
}

/** @example decodeStored(encodeStored(stored)) // deep-equal to stored */
export function decodeStored(text: string): StoredResponse {
  return JSON.parse(text) as StoredResponse;
}
