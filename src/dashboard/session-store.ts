/**
 * Dashboard logins: a random session id per login, kept in memory with its expiry. The cookie carries only
 * this id — never the admin key — so a leaked cookie dies with its session and logging out revokes it.
 */
import { randomBytes } from 'node:crypto';

/** Sessions kept at most; past it the oldest is dropped (a login flood cannot grow memory). */
const MAX_SESSIONS = 1000;

export class SessionStore {
  /** id → expiry (ms since epoch); a Map keeps insertion order, so the first entry is the oldest. */
  private readonly sessions = new Map<string, number>();

  constructor(
    private readonly ttlMs: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Starts a session and returns its id (32 random bytes, base64url).
   *
   * @example const id = store.create(); res.setHeader('set-cookie', sessionCookie(id, …));
   */
  create(): string {
    const id = randomBytes(32).toString('base64url');
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(id, this.now() + this.ttlMs());
    return id;
  }

  /**
   * True while `id` names a live session; an expired one is forgotten here.
   *
   * @example if (!store.valid(cookieValue)) throw errors.dashboardLoginRequired();
   */
  valid(id: string | undefined): boolean {
    if (id === undefined) return false;
    const expires = this.sessions.get(id);
    if (expires === undefined) return false;
    if (expires <= this.now()) {
      this.sessions.delete(id);
      return false;
    }
    return true;
  }

  /** Ends a session (logout). @example store.revoke(id) */
  revoke(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  /** Live sessions, for tests. @example store.size */
  get size(): number {
    return this.sessions.size;
  }
}
