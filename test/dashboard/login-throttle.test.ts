/**
 * The login throttle on its own, with an injected clock: five wrong keys in the window lock an address until the
 * oldest leaves it, other addresses are untouched, a right key starts afresh; and the client address it counts by.
 */
import type { IncomingMessage } from 'node:http';
import { clientAddress, LoginThrottle } from '../../src/dashboard/login-throttle';

const LIMITS = { maxFailures: 5, windowMs: 15 * 60_000 };

function clock() {
  const c = { t: Date.parse('2026-12-01T12:00:00Z'), now: () => c.t };
  return c;
}

describe('LoginThrottle', () => {
  test('five failures within the window lock the address until the oldest of them is 15 minutes old', () => {
    const c = clock();
    const throttle = new LoginThrottle(c.now);
    for (let i = 0; i < 5; i++) {
      expect(throttle.waitMs('198.51.100.1', LIMITS)).toBe(0);
      throttle.fail('198.51.100.1', LIMITS);
      c.t += 60_000;
    }
    // The first failure was 5 minutes ago: 10 minutes to go.
    expect(throttle.waitMs('198.51.100.1', LIMITS)).toBe(10 * 60_000);
    expect(throttle.waitMs('198.51.100.2', LIMITS)).toBe(0);
    c.t += 10 * 60_000 - 1;
    expect(throttle.waitMs('198.51.100.1', LIMITS)).toBe(1);
    c.t += 1;
    // The oldest failure left the window: one more try, and the next failure locks again (the other four remain).
    expect(throttle.waitMs('198.51.100.1', LIMITS)).toBe(0);
    throttle.fail('198.51.100.1', LIMITS);
    expect(throttle.waitMs('198.51.100.1', LIMITS)).toBeGreaterThan(0);
  });

  test('failures spread wider than the window never lock; a right key clears the count', () => {
    const c = clock();
    const throttle = new LoginThrottle(c.now);
    for (let i = 0; i < 20; i++) {
      throttle.fail('a', LIMITS);
      c.t += 4 * 60_000;
      expect(throttle.waitMs('a', LIMITS)).toBe(0);
    }
    for (let i = 0; i < 4; i++) throttle.fail('b', LIMITS);
    throttle.succeed('b');
    for (let i = 0; i < 4; i++) throttle.fail('b', LIMITS);
    expect(throttle.waitMs('b', LIMITS)).toBe(0);
  });

  test('attempt checks and counts in one step: a throttled attempt is not counted, and its key is not looked at', () => {
    const c = clock();
    // What the primary runs for every worker (cluster/shared-stores.ts 'login.attempt').
    const throttle = new LoginThrottle(c.now);
    const attempt = (address: string, limits: typeof LIMITS, right: boolean) => throttle.attempt(address, limits, right);
    for (let i = 0; i < 5; i++) expect(attempt('198.51.100.9', LIMITS, false)).toBe(0);
    // Locked: the right key gets the same answer as a wrong one, and neither adds to the count.
    expect(attempt('198.51.100.9', LIMITS, true)).toBe(15 * 60_000);
    c.t += 60_000;
    expect(attempt('198.51.100.9', LIMITS, false)).toBe(14 * 60_000);
    c.t += 14 * 60_000;
    // The five failures left the window together; a right key then clears the count.
    expect(attempt('198.51.100.9', LIMITS, true)).toBe(0);
    for (let i = 0; i < 4; i++) expect(attempt('198.51.100.9', LIMITS, false)).toBe(0);
    expect(attempt('198.51.100.9', LIMITS, false)).toBe(0);
    expect(attempt('198.51.100.9', LIMITS, false)).toBeGreaterThan(0);
  });

  test('a reload that lowers the limit applies to the failures already counted', () => {
    const throttle = new LoginThrottle(clock().now);
    for (let i = 0; i < 3; i++) throttle.fail('a', LIMITS);
    expect(throttle.waitMs('a', LIMITS)).toBe(0);
    expect(throttle.waitMs('a', { ...LIMITS, maxFailures: 3 })).toBeGreaterThan(0);
  });
});

function req(remoteAddress: string, forwardedFor?: string): IncomingMessage {
  return { socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } } as unknown as IncomingMessage;
}

describe('clientAddress', () => {
  test('without trusted proxies x-forwarded-for is ignored: a client cannot pick its own address', () => {
    expect(clientAddress(req('203.0.113.9', '1.2.3.4'), 0)).toBe('203.0.113.9');
  });

  test('behind trusted proxies it is the address the outermost proxy saw, whatever the client prepended', () => {
    expect(clientAddress(req('10.0.0.2', 'spoofed, 203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(clientAddress(req('10.0.0.2', 'spoofed, 203.0.113.7, 10.0.0.1'), 2)).toBe('203.0.113.7');
    // Fewer entries than hops: the leftmost there is.
    expect(clientAddress(req('10.0.0.2', '203.0.113.7'), 3)).toBe('203.0.113.7');
    expect(clientAddress(req('10.0.0.2'), 1)).toBe('10.0.0.2');
  });

  test('IPv4-mapped IPv6 is plain IPv4; IPv6 counts by its /64', () => {
    expect(clientAddress(req('::ffff:127.0.0.1'), 0)).toBe('127.0.0.1');
    expect(clientAddress(req('2001:db8:1:2:aaaa::1'), 0)).toBe('2001:db8:1:2::/64');
    expect(clientAddress(req('2001:db8:1:2:bbbb:cccc:dddd:eeee'), 0)).toBe('2001:db8:1:2::/64');
    expect(clientAddress(req('2001:db8::1'), 0)).toBe('2001:db8:0:0::/64');
    expect(clientAddress(req('::1'), 0)).toBe('0:0:0:0::/64');
  });
});
