import { SessionStore } from './session-store';

describe('SessionStore', () => {
  test('a session is valid until its expiry on the injected clock', () => {
    let now = 1_000_000;
    const store = new SessionStore(
      () => 60_000,
      () => now,
    );
    const token = store.create();
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}\.[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect(store.valid(token)).toBe(true);
    now += 59_999;
    expect(store.valid(token)).toBe(true);
    now += 1;
    expect(store.valid(token)).toBe(false);
  });

  test('tokens are unique; revoke ends one session only; unknown tokens are refused', () => {
    const store = new SessionStore(() => 60_000);
    const a = store.create();
    const b = store.create();
    expect(a).not.toBe(b);
    store.revoke(a);
    expect(store.valid(a)).toBe(false);
    expect(store.valid(b)).toBe(true);
    expect(store.valid(undefined)).toBe(false);
    expect(store.valid('made-up')).toBe(false);
  });

  test('a token whose expiry or id was changed is refused: the signature covers both', () => {
    const store = new SessionStore(() => 60_000);
    const [id, exp, sig] = store.create().split('.');
    expect(store.valid(`${id}.${(parseInt(exp, 36) + 3_600_000).toString(36)}.${sig}`)).toBe(false);
    expect(store.valid(`${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}.${exp}.${sig}`)).toBe(false);
    expect(store.valid(`${id}.${exp}.${sig.slice(0, -2)}`)).toBe(false);
  });

  test('another store of the same process (another gateway, a reload) accepts the token, and sees its revocation', () => {
    const one = new SessionStore(() => 60_000);
    const two = new SessionStore(() => 60_000);
    const token = one.create();
    expect(two.valid(token)).toBe(true);
    two.revoke(token);
    expect(one.valid(token)).toBe(false);
  });
});
