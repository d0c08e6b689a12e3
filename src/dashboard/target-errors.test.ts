import type { AttemptRecord, RequestOutcome } from '../pipeline/types';
import { errors } from '../errors';
import { TargetErrors } from './target-errors';

const T0 = Date.parse('2026-12-01T12:00:30Z');
const ok: RequestOutcome = { status: 200, completed: true, latencyMs: 1 };
const failed: RequestOutcome = { status: 502, completed: false, latencyMs: 1 };

function attempt(model: string, fields: Partial<AttemptRecord> = {}): AttemptRecord {
  return { alias: 'chat', provider: 'up', model, latencyMs: 1, ok: true, ...fields };
}

describe('TargetErrors', () => {
  it('counts attempts and failures per target by kind, an HTTP error with its status; skipped targets are left out', () => {
    const book = new TargetErrors();
    book.record(
      [
        attempt('a', { ok: false, kind: 'status', status: 503, reason: 'up: overloaded' }),
        attempt('b', { ok: false, kind: 'first_byte_timeout', reason: 'up: first byte timeout' }),
        attempt('c', { ok: false, kind: 'skipped', skipped: true, reason: 'cooling down' }),
        attempt('d'),
      ],
      ok,
      T0,
    );
    book.record([attempt('a', { ok: false, kind: 'status', status: 429, reason: 'up: slow down' })], failed, T0 + 1000);
    expect(book.describe(T0 + 2000)).toEqual([
      {
        target: 'up/a',
        attempts: 2,
        failures: 2,
        by_kind: { 'status 503': 1, 'status 429': 1 },
        last_error: { at: new Date(T0 + 1000).toISOString(), kind: 'status 429', message: 'up: slow down' },
      },
      { target: 'up/b', attempts: 1, failures: 1, by_kind: { first_byte_timeout: 1 }, last_error: expect.objectContaining({ kind: 'first_byte_timeout' }) },
      { target: 'up/d', attempts: 1, failures: 0, by_kind: {}, last_error: null },
    ]);
  });

  it('counts a stream that failed after it started as mid_stream for the target that served it', () => {
    const book = new TargetErrors();
    const cut: RequestOutcome = { status: 200, completed: false, latencyMs: 1, error: errors.upstreamStreamFailed('up: stream ended before it was complete') };
    book.record([attempt('a', { ok: false, kind: 'network' }), attempt('b')], cut, T0);
    const b = book.describe(T0).find((v) => v.target === 'up/b');
    expect(b).toMatchObject({ attempts: 1, failures: 1, by_kind: { mid_stream: 1 }, last_error: { kind: 'mid_stream' } });
    expect(b?.last_error?.message).toContain('stream ended before it was complete');
  });

  it('forgets what is older than an hour, minute by minute', () => {
    const book = new TargetErrors();
    book.record([attempt('a', { ok: false, kind: 'network', reason: 'refused' })], failed, T0);
    book.record([attempt('a', { ok: false, kind: 'network', reason: 'refused' })], failed, T0 + 30 * 60_000);
    expect(book.describe(T0 + 59 * 60_000)[0]).toMatchObject({ failures: 2 });
    const later = book.describe(T0 + 61 * 60_000)[0];
    expect(later).toMatchObject({ failures: 1, by_kind: { network: 1 } });
    expect(later.last_error).not.toBeNull();
    expect(book.describe(T0 + 92 * 60_000)).toEqual([]);
  });

  it('redacts a secret shape in a message and keeps at most 1000 targets', () => {
    const book = new TargetErrors();
    book.record([attempt('a', { ok: false, reason: 'plugin said sk-abcdefghijklmnop' })], failed, T0);
    expect(book.describe(T0)[0].last_error).toMatchObject({ kind: 'other', message: 'plugin said [REDACTED]' });
    for (let i = 0; i < 1000; i++) book.record([attempt(`m${i}`)], ok, T0);
    const targets = book.describe(T0).map((v) => v.target);
    expect(targets).toHaveLength(1000);
    expect(targets).not.toContain('up/a');
  });

  it("reports its own new counts once and adds a peer's to its own (not passing them on); the newer last error wins", () => {
    const mine = new TargetErrors();
    mine.sharing = true;
    mine.record([attempt('a', { ok: false, kind: 'status', status: 503, reason: 'up: overloaded' }), attempt('b')], ok, T0);
    const report = mine.report();
    expect(report).toEqual([
      {
        target: 'up/a',
        minutes: [{ minute: Math.floor(T0 / 60_000), attempts: 1, failures: 1, kinds: { 'status 503': 1 } }],
        last: { at: T0, kind: 'status 503', message: 'up: overloaded' },
      },
      { target: 'up/b', minutes: [{ minute: Math.floor(T0 / 60_000), attempts: 1, failures: 0, kinds: {} }] },
    ]);
    expect(mine.report()).toEqual([]);

    const peer = new TargetErrors();
    peer.record([attempt('a', { ok: false, kind: 'network', reason: 'up: reset' })], failed, T0 + 1000);
    peer.applyPeer(report);
    expect(peer.describe(T0 + 2000)[0]).toEqual({
      target: 'up/a',
      attempts: 2,
      failures: 2,
      by_kind: { network: 1, 'status 503': 1 },
      last_error: { at: new Date(T0 + 1000).toISOString(), kind: 'network', message: 'up: reset' },
    });
    expect(peer.report()).toEqual([]);
  });
});
