/**
 * The ResponseStore the Responses endpoints use, over any engine: a key sees only what it created (no key, no
 * auth plugin: everything), a response older than the retention is gone on read even before the purge removes
 * it, and an engine that fails becomes one clear 503 instead of an internal error.
 */
import { errors, GatewayError } from '../../errors';
import type { Logger } from '../../observability/logger';
import type { ResponseBackend } from './backend';
import type { ResponseStore, StoredResponse } from './types';

export const DAY_MS = 86_400_000;

export interface RetentionOptions {
  /** How long a response stays readable after it was created, ms. */
  retentionMs: number;
  /** The clock (ms since epoch); tests inject one. */
  now?: () => number;
  /** Where engine failures are logged (their detail never reaches the client). */
  log?: Logger;
}

/**
 * True when `owner` may see `stored`: the key that created it, or anyone when no auth plugin runs (owner null).
 * A response made without auth is not visible to a key added later: it was not created by that key.
 *
 * @example visibleTo({ owner: 'team-a' } as StoredResponse, 'team-b') // false
 */
export function visibleTo(stored: StoredResponse, owner: string | null): boolean {
  return owner === null || stored.owner === owner;
}

/**
 * @example
 * const store = new RetainedResponseStore(new MemoryResponseBackend(), { retentionMs: 30 * DAY_MS });
 * await store.put(stored);
 * await store.get(stored.id, 'other-key'); // undefined
 */
export class RetainedResponseStore implements ResponseStore {
  private readonly now: () => number;

  constructor(
    readonly backend: ResponseBackend,
    private readonly options: RetentionOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get kind(): string {
    return this.backend.kind;
  }

  get retentionMs(): number {
    return this.options.retentionMs;
  }

  put(response: StoredResponse): Promise<void> {
    return this.guard('put', () => this.backend.put(response, response.createdAt + this.options.retentionMs));
  }

  async get(id: string, owner: string | null): Promise<StoredResponse | undefined> {
    const stored = await this.guard('get', () => this.backend.get(id));
    if (!stored || !visibleTo(stored, owner) || this.expired(stored)) return undefined;
    return stored;
  }

  async delete(id: string, owner: string | null): Promise<boolean> {
    // Read first: a key must not delete (nor learn of) another key's response. A race with a concurrent put of
    // the same id cannot happen: ids are made by the gateway, once.
    if (!(await this.get(id, owner))) return false;
    return this.guard('delete', () => this.backend.delete(id));
  }

  /** Removes what the retention no longer keeps; resolves with how many. @example await store.purgeExpired() */
  purgeExpired(): Promise<number> {
    return this.guard('purge', () => this.backend.purgeCreatedBefore(this.now() - this.options.retentionMs));
  }

  close(): Promise<void> {
    return this.backend.close();
  }

  private expired(stored: StoredResponse): boolean {
    return stored.createdAt < this.now() - this.options.retentionMs;
  }

  private async guard<T>(op: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      this.options.log?.warn('response store failed', { store: this.backend.kind, op, error: (err as Error)?.message ?? String(err) });
      throw errors.responseStoreUnavailable(this.backend.kind);
    }
  }
}
