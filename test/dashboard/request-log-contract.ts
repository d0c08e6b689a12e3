/**
 * The behaviour every request log must show, run against each store (memory, SQLite, PostgreSQL) by the tests
 * beside them: records come back unchanged, newest first with each filter, keyset pages that lose nothing,
 * one record per id (and one count in the rollups), the Overview from the rollups, scan in order, and retention.
 */
import type { RequestLog, RequestRecord } from '../../src/stores/request-log/request-record';

export const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

/** A finished request as the recorder would build it. @example record({ id: 'r1', alias: 'chat' }) */
export function record(over: Partial<RequestRecord> & { id: string }): RequestRecord {
  return {
    time: T0,
    endpoint: 'chat',
    status: 200,
    stream: false,
    latency_ms: 100,
    attempts: [{ provider: 'up', model: 'gpt-4o', status: 200, latency_ms: 99.5, ttfb_ms: 40, start_ms: 0.5, ok: true }],
    ...over,
  };
}

/**
 * A record with every field set (content, cost, features, metadata, a failed and a hedged attempt), for checks
 * that a store gives back exactly what it was given; `over` changes single fields.
 *
 * @example log.append(fullRecord({ content: { request: '{}', response: 'hi' } }));
 */
export function fullRecord(over: Partial<RequestRecord> = {}): RequestRecord {
  return record({
    id: 'req_full',
    key: 'team-a',
    alias: 'chat',
    provider: 'up',
    model: 'gpt-4o',
    stream: true,
    ttfb_ms: 40.5,
    prompt_tokens: 1000,
    completion_tokens: 200,
    cached_tokens: 300,
    cache_write_tokens: 50,
    reasoning_tokens: 20,
    cost_usd: 0.004625,
    cache: 'miss',
    features: { has_tools: true, has_images: false, structured_output: true, estimated_prompt_tokens: 980, max_tokens: 256, n: 2, complexity: 0.42 },
    metadata: { team: 'search', env: 'prod' },
    content: { request: '{"messages":[]}', response: 'hello' },
    attempts: [
      { provider: 'up', model: 'gpt-4o-broken', status: 500, kind: 'status', reason: 'upstream answered 500', start_ms: 0, latency_ms: 12, ok: false },
      { provider: 'up', model: 'gpt-4o', status: 200, start_ms: 12.5, ttfb_ms: 40.5, latency_ms: 80, ok: true, hedge: true },
    ],
    ...over,
  });
}

/**
 * Declares the shared tests; `open` makes an empty log each time.
 *
 * @example describeRequestLog(() => new MemoryRequestLog(10_000));
 */
export function describeRequestLog(open: () => RequestLog, options: { closes?: boolean } = {}): void {
  let log: RequestLog;
  beforeEach(() => {
    log = open();
  });
  afterEach(async () => {
    if (options.closes !== false) await log.close();
  });

  test('a record comes back unchanged by id, with its content; the list leaves content out', async () => {
    const full = fullRecord();
    const failed = record({ id: 'req_failed', time: T0 + 1, status: 429, error: 'Rate limit reached', error_code: 'rate_limited', attempts: [] });
    log.append(full);
    log.append(failed);
    await log.flush();
    expect(await log.get('req_full')).toEqual(full);
    expect(await log.get('req_failed')).toEqual(failed);
    expect(await log.get('req_none')).toBeUndefined();
    const [newest, next] = await log.list({}, 10);
    expect(newest).toEqual(failed);
    const { content: _c, ...withoutContent } = full;
    expect(next).toEqual(withoutContent);
  });

  test('lists newest first with each filter: key, alias, provider, status ok/error/exact, id substring', async () => {
    for (let i = 0; i < 12; i++)
      log.append(
        record({
          id: `req_${i.toString().padStart(2, '0')}_${i % 3 === 0 ? 'Abc' : 'xyz'}`,
          time: T0 + i * 1000,
          key: i % 2 ? 'team-a' : 'team-b',
          alias: i % 4 === 0 ? 'fb' : 'chat',
          provider: i % 2 ? 'up' : 'backup',
          status: i === 5 ? 502 : i === 7 ? 429 : 200,
        }),
      );
    await log.flush();
    const ids = async (f: Parameters<RequestLog['list']>[0], limit = 100) => (await log.list(f, limit)).map((r) => r.id.slice(0, 6));
    expect(await ids({}, 3)).toEqual(['req_11', 'req_10', 'req_09']);
    expect(await ids({ key: 'team-a', alias: 'chat' })).toEqual(['req_11', 'req_09', 'req_07', 'req_05', 'req_03', 'req_01']);
    expect(await ids({ alias: 'fb' })).toEqual(['req_08', 'req_04', 'req_00']);
    expect(await ids({ provider: 'backup' }, 2)).toEqual(['req_10', 'req_08']);
    expect(await ids({ status: 'error' })).toEqual(['req_07', 'req_05']);
    expect(await ids({ status: '429' })).toEqual(['req_07']);
    expect((await ids({ status: 'ok' })).length).toBe(10);
    expect(await ids({ q: 'abc' })).toEqual(['req_09', 'req_06', 'req_03', 'req_00']);
    expect(await ids({ q: '%' })).toEqual([]);
    expect(await ids({ before: T0 + 3000 })).toEqual(['req_02', 'req_01', 'req_00']);
    expect(await ids({ q: 'abc', since: T0 + 3000, before: T0 + 9000 })).toEqual(['req_06', 'req_03']);
  });

  test('keyset pages by (time, id) lose and repeat nothing, even inside one millisecond', async () => {
    const all = Array.from({ length: 25 }, (_, i) => record({ id: `req_${String(i).padStart(2, '0')}`, time: T0 + Math.floor(i / 10) }));
    for (const r of all) log.append(r);
    await log.flush();
    const seen: string[] = [];
    let cursor: { before?: number; before_id?: string } = {};
    for (;;) {
      const page = await log.list({ ...cursor, status: 'ok' }, 7);
      seen.push(...page.map((r) => r.id));
      if (page.length < 7) break;
      cursor = { before: page[page.length - 1].time, before_id: page[page.length - 1].id };
    }
    expect(seen).toEqual(all.map((r) => r.id).reverse());
  });

  test('an id written twice (in one batch or two) is kept once and counted once in the Overview', async () => {
    const r = record({ id: 'req_twice', alias: 'chat', provider: 'up', cost_usd: 0.5 });
    log.append(r);
    log.append({ ...r, status: 500 });
    await log.flush();
    log.append(r);
    await log.flush();
    expect(await log.list({}, 10)).toHaveLength(1);
    expect((await log.get('req_twice'))?.status).toBe(200);
    const o = await log.overview('hour', T0 + 30_000);
    expect(o.totals).toMatchObject({ requests: 1, errors: 0, cost_usd: 0.5 });
  });

  test('the Overview sums per minute into its points, with totals, percentiles and groups, for hour, day and week', async () => {
    for (let i = 0; i < 60; i++)
      log.append(
        record({
          id: `req_ok_${i}`,
          time: T0 + 1000 * i,
          alias: 'chat',
          provider: 'up',
          latency_ms: 10,
          ttfb_ms: 4,
          prompt_tokens: 10,
          completion_tokens: 20,
          cost_usd: 0.01,
        }),
      );
    log.append(record({ id: 'req_err', time: T0 + 61_000, alias: 'fb', provider: 'backup', status: 500, latency_ms: 5000 }));
    log.append(record({ id: 'req_old', time: T0 - 2 * 86_400_000, alias: 'chat', provider: 'up' }));
    log.append(record({ id: 'req_unrouted', time: T0 + 62_000, status: 404 }));
    await log.flush();
    const o = await log.overview('hour', T0 + 61_000);
    expect(o.points).toHaveLength(60);
    expect(o.step_s).toBe(60);
    const [prev, last] = o.points.slice(-2);
    expect(prev).toMatchObject({ t: T0, requests_per_s: 1, error_rate: 0, tokens_per_s: 30, ttfb_p50_ms: 4.8 });
    expect(prev.spend_usd_per_hour).toBeCloseTo(36);
    expect(last).toMatchObject({ t: T0 + 60_000, error_rate: 1 });
    expect(o.totals).toMatchObject({ requests: 62, errors: 2, tokens: 1800, cost_usd: 0.6 });
    expect(o.totals.p50_ms).toBeGreaterThanOrEqual(10);
    expect(o.totals.p50_ms).toBeLessThan(13);
    expect(o.totals.p95_ms).toBeLessThan(13);
    expect(o.by_alias).toEqual([
      { name: 'chat', requests: 60, errors: 0, error_rate: 0 },
      { name: 'fb', requests: 1, errors: 1, error_rate: 1 },
    ]);
    expect(o.by_provider.map((g) => g.name)).toEqual(['up', 'backup']);
    const day = await log.overview('day', T0 + 61_000);
    expect(day.points).toHaveLength(96);
    expect(day.totals.requests).toBe(62);
    const week = await log.overview('week', T0 + 61_000);
    expect(week.points).toHaveLength(168);
    expect(week.step_s).toBe(3600);
    expect(week.totals.requests).toBe(63);
    expect(week.points.find((p) => p.t === T0)?.requests_per_s).toBeCloseTo(62 / 3600);
  });

  test('scan gives every record of [since, until) oldest first, across pages', async () => {
    for (let i = 0; i < 2100; i++) log.append(record({ id: `req_${String(i).padStart(4, '0')}`, time: T0 + Math.floor(i / 3) }));
    await log.flush();
    const got: string[] = [];
    for await (const r of log.scan(T0 + 1, T0 + 700)) got.push(r.id);
    expect(got).toHaveLength(699 * 3);
    expect(got[0]).toBe('req_0003');
    expect(got[got.length - 1]).toBe('req_2099');
    expect([...got].sort()).toEqual(got);
  });

  test('purge deletes the records before the cutoff and their rollup rows, and nothing after it', async () => {
    const HOUR = 3_600_000;
    log.append(record({ id: 'req_old_1', time: T0 - 3 * HOUR, alias: 'chat', provider: 'up' }));
    log.append(record({ id: 'req_old_2', time: T0 - 2 * HOUR + 5, alias: 'chat', provider: 'up' }));
    log.append(record({ id: 'req_new', time: T0 - HOUR + 5, alias: 'chat', provider: 'up' }));
    await log.flush();
    expect((await log.overview('day', T0)).totals.requests).toBe(3);
    expect(await log.purge(T0 - HOUR)).toBe(2);
    expect((await log.list({}, 10)).map((r) => r.id)).toEqual(['req_new']);
    expect(await log.get('req_old_1')).toBeUndefined();
    expect((await log.overview('day', T0)).totals.requests).toBe(1);
    expect((await log.overview('week', T0)).totals.requests).toBe(1);
  });
}
