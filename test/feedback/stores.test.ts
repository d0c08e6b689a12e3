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
      expect(await store.served(s.requestId)).toEqual(s);
      expect(await store.served('req-unknown')).toBeUndefined();
    });

    it('takes one rating per request and lists ratings by time', async () => {
      const since = Date.now() - 1;
      const id = `req-${randomUUID()}`;
      const rating = { requestId: id, alias: 'chat', target: 'up/m', tier: 'medium' as const, score: 0.75, label: 'ok', at: Date.now() };
      expect(await store.addRating(rating)).toBe(true);
      expect(await store.addRating({ ...rating, score: 0 })).toBe(false);
      const listed = (await store.ratingsSince(since)).filter((r) => r.requestId === id);
      expect(listed).toEqual([rating]);
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
    const old = { requestId: 'req-old', alias: 'chat', target: 'up/m', tier: 'simple' as const, score: 1, label: null, at: 1_000 };
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
    await expect(svc.rate(s.requestId, 'team-b', 1, null)).rejects.toMatchObject({ status: 403 });
    await expect(svc.rate(s.requestId, 'team-a', 1, null)).resolves.toEqual({ alias: 'chat', target: 'up/m', tier: 'simple' });
    await expect(svc.rate(s.requestId, 'team-a', 1, null)).rejects.toMatchObject({ status: 409 });
    await expect(svc.rate('req-nope', 'team-a', 1, null)).rejects.toMatchObject({ status: 404 });
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
