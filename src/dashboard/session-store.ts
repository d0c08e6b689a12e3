/**
 * Dashboard logins. A session is a signed token — a random id and its expiry, with an HMAC-SHA256 over both —
 * so any process holding the signing key can check it without asking anyone: with `--workers`, a login served
 * by one worker is valid on every other (the primary hands all of them one key, cluster/ipc.ts `SESSION_KEY_ENV`). The cookie
 * carries only this token, never the admin key. Logging out revokes the id: the revocation is kept until the
 * token would have expired anyway, and broadcast to the other workers.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { broadcast, isGatewayWorker, onBroadcast, SESSION_KEY_ENV } from '../cluster/ipc';

/** Revocations kept at most; past it the one expiring first is dropped (a logout flood cannot grow memory). */
const MAX_REVOKED = 10_000;

/** One key per process (or per primary and its workers), made at start: a restart ends every session. */
const signingKey: Buffer = (() => {
  const given = process.env[SESSION_KEY_ENV];
  // Read once, then out of the environment: plugins and child processes have no business with it.
  delete process.env[SESSION_KEY_ENV];
  return given && given.length >= 43 ? Buffer.from(given, 'base64url') : randomBytes(32);
})();

/** Revoked session id → the expiry its token carried. Shared by every store of the process. */
const revoked = new Map<string, number>();
let listening = false;

function remember(id: string, expires: number, now: number): void {
  for (const [r, exp] of revoked) if (exp <= now) revoked.delete(r);
  if (revoked.size >= MAX_REVOKED) revoked.delete(revoked.keys().next().value!);
  revoked.set(id, expires);
}

function mac(body: string): Buffer {
  return createHmac('sha256', signingKey).update(body).digest();
}

/** The id and expiry of a token whose signature holds; undefined for anything else. */
function verified(token: string): { id: string; expires: number } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]{22}$/.test(parts[0]) || !/^[0-9a-z]{1,12}$/.test(parts[1])) return undefined;
  const given = Buffer.from(parts[2], 'base64url');
  const wanted = mac(`${parts[0]}.${parts[1]}`);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return undefined;
  return { id: parts[0], expires: parseInt(parts[1], 36) };
}

export class SessionStore {
  constructor(
    private readonly ttlMs: () => number,
    private readonly now: () => number = Date.now,
  ) {
    if (!listening && isGatewayWorker()) {
      listening = true;
      onBroadcast('dashboard-session-revoked', (payload) => {
        const { id, expires } = payload as { id: string; expires: number };
        remember(id, expires, Date.now());
      });
    }
  }

  /**
   * Starts a session and returns its token: `<id>.<expiry, base 36>.<signature>`, all cookie-safe characters.
   *
   * @example const token = store.create(); res.setHeader('set-cookie', sessionCookie(token, …));
   */
  create(): string {
    const body = `${randomBytes(16).toString('base64url')}.${(this.now() + this.ttlMs()).toString(36)}`;
    return `${body}.${mac(body).toString('base64url')}`;
  }

  /**
   * True while `token` is one this gateway signed, not expired and not revoked.
   *
   * @example if (!store.valid(cookieValue)) throw errors.dashboardLoginRequired();
   */
  valid(token: string | undefined): boolean {
    if (token === undefined) return false;
    const session = verified(token);
    return session !== undefined && session.expires > this.now() && !revoked.has(session.id);
  }

  /** Ends a session (logout), here and on every other worker. @example store.revoke(token) */
  revoke(token: string | undefined): void {
    const session = token === undefined ? undefined : verified(token);
    if (!session) return;
    remember(session.id, session.expires, this.now());
    if (isGatewayWorker()) broadcast('dashboard-session-revoked', session);
  }
}
