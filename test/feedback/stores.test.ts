/**
 * The feedback store contract, run against every backend: memory, SQLite, PostgreSQL and Redis (the last two
 * need the services; see test/helpers/services.ts). And the service over a shared store: a rating given on one
 * instance reaches the other's estimates, and a restarted instance rebuilds its book from the store.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import winston from 'winston';
import { FeedbackService } from '../../src/feedback/feedback-service';
import type { FeedbackStore, ServedRequest } from '../../src/feedback/feedback-store';
import { openFeedbackStore } from '../../src/feedback/open-feedback-store';
import { eventually } from '../helpers/client';
import { describeWithService, POSTGRES_URL, REDIS_URL } from '../helpers/services';

const log = winston.createLogger({ silent: true });
const HOUR = 3_600_000;

function served(over: Partial<ServedRequest> = {}): ServedRequest {
  return { requestId: `req-${randomUUID()}`, keyName: 'team-a', alias: 'chat', target: 'up/m', tier: 'simple', at: Date.now(), ...over };
}

function contract(name: string, open: () => FeedbackStore) {
  describe(`${name} feedback store`, () => {
    let store: FeedbackStore;
    beforeAll(async () => {
      store = open();
      await store.ready?.();
    });
    afterAll(async () => {
      await store.close();
    });

    it('remembers what served a request', async () => {
      const s = served();
      await store.noteServed([s, served()]);
      expect(await store.served('team-a', s.requestId)).toEqual(s);
      expect(await store.served('team-a', 'req-unknown')).toBeUndefined();
    });

    it("keeps another key's request under the same id apart, and never replaces a key's first note", async () => {
      const a = served();
      const b = served({ requestId: a.requestId, keyName: 'team-b', target: 'up/hijack' });
      const anonymous = served({ requestId: a.requestId, keyName: null, target: 'up/anonymous' });
      await store.noteServed([a]);
      await store.noteServed([b, anonymous, { ...a, target: 'up/later' }]);
      expect(await store.served('team-a', a.requestId)).toEqual(a);
      expect(await store.served('team-b', a.requestId)).toEqual(b);
      expect(await store.served(null, a.requestId)).toEqual(anonymous);
      expect(await store.served('team-c', a.requestId)).toBeUndefined();
    });

    it('takes one rating per request of each key and lists ratings by time', async () => {
      const since = Date.now() - 1;
      const id = `req-${randomUUID()}`;
      const rating = { requestId: id, keyName: 'team-a', alias: 'chat', target: 'up/m', tier: 'medium' as const, score: 0.75, label: 'ok', at: Date.now() };
      const others = { ...rating, keyName: 'team-b', score: 0.25 };
      const anonymous = { ...rating, keyName: null, score: 0.5 };
      expect(await store.addRating(rating)).toBe(true);
      expect(await store.addRating({ ...rating, score: 0 })).toBe(false);
      expect(await store.addRating(others)).toBe(true);
      expect(await store.addRating(anonymous)).toBe(true);
      expect(await store.addRating({ ...anonymous, score: 0 })).toBe(false);
      const listed = (await store.ratingsSince(since)).filter((r) => r.requestId === id);
      expect(listed).toEqual(expect.arrayContaining([rating, others, anonymous]));
      expect(listed).toHaveLength(3);
    });
  });
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-feedback-'));
contract('memory', () => openFeedbackStore('memory', dir, log, HOUR));
contract('sqlite', () => openFeedbackStore('sqlite://./feedback.db', dir, log, HOUR));
describeWithService(['postgres'], 'postgres', () => contract('postgres', () => openFeedbackStore(POSTGRES_URL, dir, log, HOUR)));
describeWithService(['redis'], 'redis', () => contract('redis', () => openFeedbackStore(REDIS_URL, dir, log, HOUR)));

describe('memory feedback store', () => {
  it('forgets the ratings of requests no longer rateable when it purges, so its memory does not grow with every rating', async () => {
    const store = openFeedbackStore('memory', dir, log, HOUR);
    const old = { requestId: 'req-old', keyName: 'team-a', alias: 'chat', target: 'up/m', tier: 'simple' as const, score: 1, label: null, at: 1_000 };
    const recent = { ...old, requestId: 'req-recent', at: 5_000 };
    await store.addRating(old);
    await store.addRating(recent);
    await store.purge(2_000);
    expect(await store.ratingsSince(0)).toEqual([recent]);
    // One rating per request still holds for the ones kept.
    expect(await store.addRating({ ...recent, score: 0 })).toBe(false);
    await store.close();
  });
});

describe('FeedbackService over a shared store', () => {
  const options = { halfLifeMs: 72 * HOUR, servedTtlMs: HOUR, refreshMs: 60_000 };

  it('refuses other keys, repeats and unknown requests', async () => {
    const svc = new FeedbackService(openFeedbackStore('memory', dir, log, HOUR), options, log);
    const s = served();
    svc.noteServed(s);
    await expect(svc.rate(s.requestId, 'team-b', 1, null)).rejects.toMatchObject({ status: 404 });
    await expect(svc.rate(s.requestId, null, 1, null)).rejects.toMatchObject({ status: 404 });
    await expect(svc.rate(s.requestId, 'team-a', 1, null)).resolves.toEqual({ alias: 'chat', target: 'up/m', tier: 'simple' });
    await expect(svc.rate(s.requestId, 'team-a', 1, null)).rejects.toMatchObject({ status: 409 });
    await expect(svc.rate('req-nope', 'team-a', 1, null)).rejects.toMatchObject({ status: 404 });
    await svc.close();
  });

  it("a key that sends a request under another key's request id gets a request of its own to rate, not the other's", async () => {
    const svc = new FeedbackService(openFeedbackStore('memory', dir, log, HOUR), options, log);
    const mine = served({ target: 'up/mine' });
    svc.noteServed(mine);
    svc.noteServed(served({ requestId: mine.requestId, keyName: 'team-b', target: 'up/theirs' }));
    await expect(svc.rate(mine.requestId, 'team-b', 0, null)).resolves.toMatchObject({ target: 'up/theirs' });
    await expect(svc.rate(mine.requestId, 'team-a', 1, null)).resolves.toMatchObject({ target: 'up/mine' });
    expect(svc.book.estimate('chat', 'up/mine')).toMatchObject({ ratings: 1, alpha: expect.closeTo(2, 5) as number });
    await svc.close();
  });

  it("a rating given on one instance reaches another instance's estimates", async () => {
    const file = `sqlite://./shared-${randomUUID()}.db`;
    const fast = { ...options, refreshMs: 20 };
    const one = new FeedbackService(openFeedbackStore(file, dir, log, HOUR), fast, log);
    const two = new FeedbackService(openFeedbackStore(file, dir, log, HOUR), fast, log);
    const s = served({ target: 'up/shared' });
    one.noteServed(s);
    await one.rate(s.requestId, 'team-a', 1, null);
    await eventually(() => two.book.estimate('chat', 'up/shared').ratings === 1);
    await one.close();
    await two.close();
  });

  it('a restarted instance rebuilds its estimates from the store, and sees requests noted before the restart', async () => {
    const file = `sqlite://./restart-${randomUUID()}.db`;
    const first = new FeedbackService(openFeedbackStore(file, dir, log, HOUR), options, log);
    const a = served();
    const b = served();
    first.noteServed(a);
    first.noteServed(b);
    await first.rate(a.requestId, 'team-a', 1, null);
    await first.close(); // flushes the served notes
    const second = new FeedbackService(openFeedbackStore(file, dir, log, HOUR), options, log);
    await second.ready();
    expect(second.book.estimate('chat', 'up/m').ratings).toBe(1);
    await second.rate(b.requestId, 'team-a', 0, null);
    const estimate = second.book.estimate('chat', 'up/m');
    expect(estimate.ratings).toBe(2);
    // Both ratings are seconds old against a 72-hour half-life: decayed by less than a millionth.
    expect(estimate.alpha).toBeCloseTo(2, 5);
    expect(estimate.beta).toBeCloseTo(2, 5);
    await second.close();
  });
});
