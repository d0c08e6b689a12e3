import { RequestRing, type RecentRequest } from './request-ring';
import { Rollup } from './rollup';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

function req(over: Partial<RecentRequest>): RecentRequest {
  return { id: 'r', time: T0, endpoint: 'chat', status: 200, stream: false, latency_ms: 100, attempts: [], ...over };
}

describe('Rollup', () => {
  test('sums per minute into the points of the range, with totals by alias and provider', () => {
    const r = new Rollup();
    for (let i = 0; i < 60; i++)
      r.add(req({ time: T0 + 1000 * i, alias: 'chat', provider: 'up', latency_ms: 10, prompt_tokens: 10, completion_tokens: 20, cost_usd: 0.01 }));
    r.add(req({ time: T0 + 61_000, alias: 'chat', provider: 'up', status: 500, latency_ms: 5000 }));
    const o = r.overview('hour', T0 + 61_000);
    expect(o.points).toHaveLength(60);
    const [prev, last] = o.points.slice(-2);
    expect(prev).toMatchObject({ t: T0, requests_per_s: 1, error_rate: 0, tokens_per_s: 30 });
    expect(prev.spend_usd_per_hour).toBeCloseTo(36);
    expect(last).toMatchObject({ t: T0 + 60_000, error_rate: 1 });
    expect(o.totals).toMatchObject({ requests: 61, errors: 1, tokens: 1800 });
    expect(o.totals.p50_ms).toBeGreaterThanOrEqual(10);
    expect(o.totals.p50_ms).toBeLessThan(13);
    expect(o.totals.p95_ms).toBeLessThan(13);
    expect(o.by_alias).toEqual([{ name: 'chat', requests: 61, errors: 1, error_rate: 1 / 61 }]);
  });

  test('a day has 96 points of 15 minutes and a week 168 of an hour; older minutes fall out of the range', () => {
    const r = new Rollup();
    r.add(req({ time: T0 - 2 * 86_400_000 }));
    r.add(req({ time: T0 }));
    expect(r.overview('day', T0).points).toHaveLength(96);
    expect(r.overview('day', T0).totals.requests).toBe(1);
    expect(r.overview('week', T0).points).toHaveLength(168);
    expect(r.overview('week', T0).totals.requests).toBe(2);
  });
});

describe('RequestRing', () => {
  test('keeps the newest N, newest first, and filters', () => {
    const ring = new RequestRing(3);
    for (let i = 1; i <= 5; i++) ring.push(req({ id: `r${i}`, alias: i % 2 ? 'odd' : 'even', status: i === 4 ? 502 : 200 }));
    expect(ring.list({}, 10).map((r) => r.id)).toEqual(['r5', 'r4', 'r3']);
    expect(ring.list({ alias: 'odd' }, 10).map((r) => r.id)).toEqual(['r5', 'r3']);
    expect(ring.list({ status: 'error' }, 10).map((r) => r.id)).toEqual(['r4']);
    expect(ring.list({ status: '200' }, 1).map((r) => r.id)).toEqual(['r5']);
    expect(ring.get('r1')).toBeUndefined();
    expect(ring.get('r4')?.status).toBe(502);
  });
});
