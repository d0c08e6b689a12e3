import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { describeWithService, dropPostgresTable, scratchTable, POSTGRES_URL } from '../../test/helpers/services';
import { openSpendSink } from './open-spend-sink';
import type { SpendRecord, SpendSink } from './spend-sink';

function record(overrides: Partial<SpendRecord>): SpendRecord {
  return {
    ts: Date.UTC(2026, 10, 1, 12),
    requestId: 'req',
    keyName: 'team-a',
    alias: 'chat',
    provider: 'openai',
    model: 'gpt-4o',
    inputTokens: 100,
    outputTokens: 20,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costPico: 450_000_000,
    estimated: false,
    latencyMs: 120,
    status: 200,
    attempts: 1,
    cacheHit: false,
    ...overrides,
  };
}

const records: SpendRecord[] = [
  record({ requestId: 'r1', reasoningTokens: 5 }),
  record({ requestId: 'r2', costPico: 1_000_000, inputTokens: 1, outputTokens: 1, estimated: true }),
  record({
    requestId: 'r3',
    keyName: 'team-b',
    model: 'deepseek-chat',
    provider: 'deepseek',
    costPico: 756_880_000,
    cachedTokens: 1000,
    cacheWriteTokens: 300,
  }),
  record({ requestId: 'r4', keyName: 'team-b', model: 'mystery', costPico: null, ts: Date.UTC(2026, 10, 2, 8) }),
  record({ requestId: 'r5', keyName: 'team-a', ts: Date.UTC(2026, 9, 15), costPico: 1_000_000_000_000 }),
  record({ requestId: 'r6', keyName: 'team-a', cacheHit: true, costPico: 0, inputTokens: 0, outputTokens: 0 }),
];

function sums(over: Partial<Record<string, unknown>>) {
  return {
    requests: 0,
    input_tokens: 0,
    output_tokens: 0,
    cached_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    unpriced_requests: 0,
    estimated_requests: 0,
    ...over,
  };
}

function sinkContract(name: string, open: () => SpendSink) {
  describe(name, () => {
    let sink: SpendSink;
    beforeAll(async () => {
      sink = open();
      await sink.write(records);
      // A batch written again (a retry after a reset hid its commit) adds nothing.
      await sink.write(records.slice(0, 3));
    });
    afterAll(() => sink.close());

    it('totals spend per key exactly, within a time window, each request once', async () => {
      const totals = await sink.totals({ groupBy: ['key'], since: Date.UTC(2026, 10, 1) });
      expect(totals).toEqual([
        {
          group: 'team-b',
          key: 'team-b',
          ...sums({ requests: 2, input_tokens: 200, output_tokens: 40, cached_tokens: 1000, cache_write_tokens: 300, unpriced_requests: 1 }),
          cost_usd: 0.00075688,
          cost_pico: '756880000',
        },
        {
          group: 'team-a',
          key: 'team-a',
          ...sums({ requests: 3, input_tokens: 101, output_tokens: 21, reasoning_tokens: 5, estimated_requests: 1 }),
          cost_usd: 0.000451,
          cost_pico: '451000000',
        },
      ]);
    });

    it('groups by model, and respects until', async () => {
      const totals = await sink.totals({ groupBy: ['model'], until: Date.UTC(2026, 10, 1) });
      expect(totals).toEqual([
        { group: 'gpt-4o', model: 'gpt-4o', ...sums({ requests: 1, input_tokens: 100, output_tokens: 20 }), cost_usd: 1, cost_pico: '1000000000000' },
      ]);
    });

    it('groups by key and UTC day together', async () => {
      const totals = await sink.totals({ groupBy: ['key', 'day'] });
      expect(totals.map((t) => [t.key, t.day, t.requests, t.cost_pico])).toEqual([
        ['team-a', '2026-10-15', 1, '1000000000000'],
        ['team-b', '2026-11-01', 1, '756880000'],
        ['team-a', '2026-11-01', 3, '451000000'],
        ['team-b', '2026-11-02', 1, '0'],
      ]);
      expect(totals[0]).not.toHaveProperty('group');
    });

    it('groups by provider and alias', async () => {
      expect((await sink.totals({ groupBy: ['provider'] })).map((t) => [t.provider, t.requests])).toEqual([
        ['openai', 5],
        ['deepseek', 1],
      ]);
      expect((await sink.totals({ groupBy: ['alias'] })).map((t) => [t.alias, t.requests])).toEqual([['chat', 6]]);
    });

    it('sums one key since a time in pico-dollars, for restoring budgets', async () => {
      expect(await sink.costSince('team-a', Date.UTC(2026, 10, 1))).toBe(451_000_000);
      expect(await sink.costSince('team-a', 0)).toBe(1_000_451_000_000);
      expect(await sink.costSince('nobody', 0)).toBe(0);
    });
  });
}

/** 100,000 requests at 20.49375 µ$ each: the total is exactly $2.049375 (per-request rounding would drift). */
function exactSum(name: string, open: () => SpendSink) {
  it(`${name}: 100,000 records sum to the exact total`, async () => {
    const sink = open();
    try {
      const batch: SpendRecord[] = [];
      for (let i = 0; i < 100_000; i++) {
        batch.push(record({ requestId: `sum-${i}`, keyName: 'summed', costPico: 20_493_750 }));
        if (batch.length === 5000) await sink.write(batch.splice(0));
      }
      const [total] = await sink.totals({ groupBy: ['key'] });
      expect(total).toMatchObject({ key: 'summed', requests: 100_000, cost_pico: '2049375000000', cost_usd: 2.049375 });
      expect(await sink.costSince('summed', 0)).toBe(2_049_375_000_000);
    } finally {
      await sink.close();
    }
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-spend-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

sinkContract('sqlite spend sink', () => openSpendSink('sqlite://./nested/spend.db', tmp));
sinkContract('sqlite spend sink in memory', () => openSpendSink('sqlite://:memory:', tmp));
sinkContract('jsonl spend sink', () => openSpendSink('jsonl://./spend.jsonl', tmp));

describe('exact sums', () => {
  exactSum('sqlite', () => openSpendSink('sqlite://./sum.db', tmp));
  exactSum('jsonl', () => openSpendSink('jsonl://./sum.jsonl', tmp));
});

describe('sqlite spend sink on disk', () => {
  it('keeps rows across reopening the file', async () => {
    const a = openSpendSink('sqlite://./reopen.db', tmp);
    await a.write([record({ requestId: 'x', costPico: 500_000_000_000 })]);
    await a.close();
    const b = openSpendSink('sqlite://./reopen.db', tmp);
    expect(await b.costSince('team-a', 0)).toBe(500_000_000_000);
    await b.close();
  });

  it('migrates a table written by the USD version: costs converted to pico-dollars once, duplicates removed', async () => {
    const file = path.join(tmp, 'old.db');
    const old = new Database(file);
    old.exec(`CREATE TABLE spend (
      ts INTEGER NOT NULL, request_id TEXT NOT NULL, key_name TEXT, alias TEXT NOT NULL, provider TEXT, model TEXT,
      input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL, cost_usd REAL,
      latency_ms INTEGER NOT NULL, status INTEGER NOT NULL, attempts INTEGER NOT NULL, cache_hit INTEGER NOT NULL)`);
    const insert = old.prepare('INSERT INTO spend VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    insert.run(1000, 'old-1', 'team-a', 'chat', 'openai', 'gpt-4o', 100, 20, 0, 0.00045, 5, 200, 1, 0);
    insert.run(1000, 'old-1', 'team-a', 'chat', 'openai', 'gpt-4o', 100, 20, 0, 0.00045, 5, 200, 1, 0); // a retried batch
    insert.run(2000, 'old-2', 'team-a', 'chat', 'openai', 'mystery', 1, 1, 0, null, 5, 200, 1, 0);
    insert.run(3000, 'old-3', 'team-a', 'chat', 'openai', 'gpt-4o', 1, 1, 0, 0.000001234, 5, 200, 1, 0);
    old.close();

    const sink = openSpendSink(`sqlite://${file}`, tmp);
    await sink.write([record({ requestId: 'new-1', ts: 4000, costPico: 7 })]);
    expect(await sink.costSince('team-a', 0)).toBe(450_000_000 + 1_234_000 + 7);
    const [t] = await sink.totals({ groupBy: ['key'] });
    expect(t).toMatchObject({ requests: 4, unpriced_requests: 1, cost_pico: '451234007' });
    await sink.close();

    // Opening again changes nothing: the conversion ran once.
    const again = openSpendSink(`sqlite://${file}`, tmp);
    expect(await again.costSince('team-a', 0)).toBe(451_234_007);
    await again.close();
    const db = new Database(file, { readonly: true });
    const columns = (db.prepare('PRAGMA table_info(spend)').all() as { name: string }[]).map((c) => c.name);
    db.close();
    expect(columns).not.toContain('cost_usd');
    expect(columns).toEqual(expect.arrayContaining(['cost_pico', 'cache_write_tokens', 'reasoning_tokens', 'estimated']));
  });
});

describe('jsonl spend sink', () => {
  it('reads lines written by the USD version', async () => {
    const file = path.join(tmp, 'old.jsonl');
    const { cacheWriteTokens: _w, reasoningTokens: _r, costPico: _c, estimated: _e, ...old } = record({ requestId: 'old' });
    fs.writeFileSync(file, JSON.stringify({ ...old, costUsd: 0.00045 }) + '\n');
    const sink = openSpendSink(`jsonl://${file}`, tmp);
    expect(await sink.costSince('team-a', 0)).toBe(450_000_000);
    await sink.close();
  });
});

describeWithService(['postgres'], 'postgres spend sink', () => {
  const table = scratchTable('spend_test');
  const sumTable = scratchTable('spend_sum');
  const oldTable = scratchTable('spend_old');
  afterAll(async () => {
    for (const t of [table, sumTable, oldTable]) await dropPostgresTable(t);
  });
  sinkContract('rows', () => openSpendSink(`${POSTGRES_URL}?table=${table}`, tmp));
  exactSum('postgres', () => openSpendSink(`${POSTGRES_URL}?table=${sumTable}`, tmp));

  it('migrates a table written by the USD version', async () => {
    const client = new Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`CREATE TABLE ${oldTable} (
        ts BIGINT NOT NULL, request_id TEXT NOT NULL, key_name TEXT, alias TEXT NOT NULL, provider TEXT, model TEXT,
        input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL, cost_usd DOUBLE PRECISION,
        latency_ms INTEGER NOT NULL, status INTEGER NOT NULL, attempts INTEGER NOT NULL, cache_hit BOOLEAN NOT NULL)`);
      const row = `(1000, 'old-1', 'team-a', 'chat', 'openai', 'gpt-4o', 100, 20, 0, 0.00045, 5, 200, 1, false)`;
      await client.query(`INSERT INTO ${oldTable} VALUES ${row}, ${row}, (2000, 'old-2', 'team-a', 'chat', 'openai', 'm', 1, 1, 0, NULL, 5, 200, 1, false)`);
      const sink = openSpendSink(`${POSTGRES_URL}?table=${oldTable}`, tmp);
      await sink.write([record({ requestId: 'old-1', ts: 1000, costPico: 999 }), record({ requestId: 'new-1', ts: 3000, costPico: 7 })]);
      expect(await sink.costSince('team-a', 0)).toBe(450_000_007);
      expect((await sink.totals({ groupBy: ['key'] }))[0]).toMatchObject({ requests: 3, unpriced_requests: 1 });
      await sink.close();
      const columns = await client.query(`SELECT column_name FROM information_schema.columns WHERE table_name = $1`, [oldTable.toLowerCase()]);
      expect(columns.rows.map((r: { column_name: string }) => r.column_name)).not.toContain('cost_usd');
    } finally {
      await client.end();
    }
  });

  it('rejects a table name that is not a plain identifier', () => {
    expect(() => openSpendSink(`${POSTGRES_URL}?table=x;drop`, tmp)).toThrow(/invalid PostgreSQL table name/);
  });

  it('fails writes (for the writer to retry) when the database is unreachable', async () => {
    const sink = openSpendSink('postgres://postgres@127.0.0.1:1/test', tmp);
    await expect(sink.write([record({})])).rejects.toThrow();
    await sink.close();
  });
});
