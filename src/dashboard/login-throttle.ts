/**
 * Failed dashboard logins counted per client address, so the admin key cannot be guessed at the speed of the
 * network: past `login_max_failures` wrong keys within `login_window_minutes`, every login from that address
 * (the right key too, so a success cannot be told from a refusal) answers 429 until the oldest failure leaves
 * the window. Other addresses are not affected. In memory and bounded; a restart forgets it. With `--workers`
 * the primary runs one for all workers (cluster/shared-stores.ts), so N workers do not give N allowances.
 */
import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

/** The limits of the running config (read at each login, so a reload applies at once). */
export interface LoginLimits {
  maxFailures: number;
  windowMs: number;
}

/** Addresses remembered; past it the one with the oldest failure is forgotten. */
const MAX_ADDRESSES = 10_000;

/**
 * @example
 * const throttle = new LoginThrottle(Date.now);
 * if (throttle.waitMs(address, limits) > 0) refuse(); else if (!right) throttle.fail(address, limits); else throttle.succeed(address);
 */
export class LoginThrottle {
  /** Per address, the times of its most recent failures (at most maxFailures), oldest first. */
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly now: () => number) {}

  /**
   * One login, as one step: when the address must wait, how long (and nothing is counted, the key not looked
   * at); otherwise 0, after counting `right` (a failure, or a fresh start). One step, so that parallel guesses
   * from one address cannot all pass the check before any of them is counted.
   *
   * @example if (throttle.attempt(address, limits, secretsEqual(key, adminKey)) > 0) refuse();
   */
  attempt(address: string, limits: LoginLimits, right: boolean): number {
    const waitMs = this.waitMs(address, limits);
    if (waitMs > 0) return waitMs;
    if (right) this.succeed(address);
    else this.fail(address, limits);
    return 0;
  }

  /** How long this address must wait before its next login is looked at; 0 when it may try now. */
  waitMs(address: string, limits: LoginLimits): number {
    const times = this.recent(address, limits);
    if (times.length < limits.maxFailures) return 0;
    return Math.max(1, times[times.length - limits.maxFailures] + limits.windowMs - this.now());
  }

  /** Counts a wrong key. */
  fail(address: string, limits: LoginLimits): void {
    const times = this.recent(address, limits);
    times.push(this.now());
    if (times.length > limits.maxFailures) times.splice(0, times.length - limits.maxFailures);
    // Re-inserted so the map's order is oldest failure first, which is what gets dropped.
    this.failures.delete(address);
    this.failures.set(address, times);
    if (this.failures.size > MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value as string);
  }

  /** The right key: the address starts afresh. */
  succeed(address: string): void {
    this.failures.delete(address);
  }

  /** The address's failures still inside the window (older ones dropped). */
  private recent(address: string, limits: LoginLimits): number[] {
    const times = this.failures.get(address);
    if (!times) return [];
    const since = this.now() - limits.windowMs;
    while (times.length > 0 && times[0] <= since) times.shift();
    if (times.length === 0) this.failures.delete(address);
    return times;
  }
}

/**
 * The address failures are counted under: the socket's peer, or, behind `hops` trusted reverse proxies, the
 * address the outermost of them saw (the `hops`-th entry of x-forwarded-for from the right; entries further
 * left are the client's own words). IPv4 in IPv6 form becomes plain IPv4; IPv6 counts by its /64, which one
 * client holds whole.
 *
 * @example clientAddress(req, 1) // '203.0.113.7' for x-forwarded-for: "10.0.0.1, 203.0.113.7" from the proxy
 */
export function clientAddress(req: IncomingMessage, hops: number): string {
  let address = req.socket.remoteAddress ?? 'unknown';
  if (hops > 0) {
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const chain = [...forwarded, address];
    address = chain[Math.max(0, chain.length - 1 - hops)];
  }
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  if (isIPv6(address)) return `${ipv6Prefix64(address)}::/64`;
  return address;
}

/** The first four groups of an IPv6 address, with `::` expanded. */
function ipv6Prefix64(address: string): string {
  const [head, tail] = address.split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, '').toLowerCase())
    .join(':');
}

/** Where a gateway's logins are counted: this process, or with `--workers` the primary (dashboard/state.ts). */
export interface LoginCounter {
  /** As `LoginThrottle.attempt`. */
  attempt(address: string, limits: LoginLimits, right: boolean): Promise<number>;
}
