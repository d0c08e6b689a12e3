import { SessionStore } from './session-store';

describe('SessionStore', () => {
  test('a session is valid until its expiry on the injected clock, then forgotten', () => {
    let now = 1_000_000;
    const store = new SessionStore(
      () => 60_000,
      () => now,
    );
    const id = store.create();
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.valid(id)).toBe(true);
    now += 59_999;
    expect(store.valid(id)).toBe(true);
    now += 1;
    expect(store.valid(id)).toBe(false);
    expect(store.size).toBe(0);
  });

  test('ids are unique; revoke ends one session only; unknown ids are refused', () => {
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

  test('past 1000 sessions the oldest is dropped', () => {
    const store = new SessionStore(() => 60_000);
    const first = store.create();
    for (let i = 0; i < 1000; i++) store.create();
    expect(store.size).toBe(1000);
    expect(store.valid(first)).toBe(false);
  });
});
