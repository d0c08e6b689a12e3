import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeWithService, dropPostgresTable, scratchTable, POSTGRES_URL } from '../../test/helpers/services';
import { openSpendSink } from './open-spend-sink';
import type { SpendRecord, SpendSink } from './spend-sink';

function record(overrides: Partial<SpendRecord>): SpendRecord {
  return {
    ts: Date.UTC(2026, 10, 1),
    requestId: 'req',
    keyName: 'team-a',
    alias: 'chat',
    provider: 'openai',
    model: 'gpt-4o',
    inputTokens: 100,
    outputTokens: 20,
    cachedTokens: 0,
    costUsd: 0.00045,
    latencyMs: 120,
    status: 200,
    attempts: 1,
    cacheHit: false,
    ...overrides,
  };
}

const records: SpendRecord[] = [
  record({ requestId: 'r1' }),
  record({ requestId: 'r2', costUsd: 0.000001, inputTokens: 1, outputTokens: 1 }),
  record({ requestId: 'r3', keyName: 'team-b', model: 'deepseek-chat', provider: 'deepseek', costUsd: 0.00075688, cachedTokens: 1000 }),
  record({ requestId: 'r4', keyName: 'team-b', model: 'mystery', costUsd: null }),
  record({ requestId: 'r5', keyName: 'team-a', ts: Date.UTC(2026, 9, 15), costUsd: 1 }),
  record({ requestId: 'r6', keyName: 'team-a', cacheHit: true, costUsd: 0, inputTokens: 0, outputTokens: 0 }),
];

function sinkContract(name: string, open: () => SpendSink) {
  describe(name, () => {
    let sink: SpendSink;
    beforeAll(async () => {
      sink = open();
      await sink.write(records);
    });
    afterAll(() => sink.close());

    it('totals spend per key, to the nano-dollar, within a time window', async () => {
      const totals = await sink.totals({ groupBy: 'key', since: Date.UTC(2026, 10, 1) });
      expect(totals).toEqual([
        { group: 'team-b', requests: 2, input_tokens: 200, output_tokens: 40, cached_tokens: 1000, cost_usd: 0.00075688, unpriced_requests: 1 },
        { group: 'team-a', requests: 3, input_tokens: 101, output_tokens: 21, cached_tokens: 0, cost_usd: 0.000451, unpriced_requests: 0 },
      ]);
    });

    it('groups by model, and respects until', async () => {
      const totals = await sink.totals({ groupBy: 'model', until: Date.UTC(2026, 10, 1) });
      expect(totals).toEqual([{ group: 'gpt-4o', requests: 1, input_tokens: 100, output_tokens: 20, cached_tokens: 0, cost_usd: 1, unpriced_requests: 0 }]);
    });

    it('sums one key since a time, for restoring budgets', async () => {
      expect(await sink.costSince('team-a', Date.UTC(2026, 10, 1))).toBeCloseTo(0.000451, 12);
      expect(await sink.costSince('team-a', 0)).toBeCloseTo(1.000451, 12);
      expect(await sink.costSince('nobody', 0)).toBe(0);
    });
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-spend-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

sinkContract('sqlite spend sink', () => openSpendSink('sqlite://./nested/spend.db', tmp));
sinkContract('jsonl spend sink', () => openSpendSink('jsonl://./spend.jsonl', tmp));

describe('sqlite spend sink on disk', () => {
  it('keeps rows across reopening the file', async () => {
    const a = openSpendSink('sqlite://./reopen.db', tmp);
    await a.write([record({ requestId: 'x', costUsd: 0.5 })]);
    await a.close();
    const b = openSpendSink('sqlite://./reopen.db', tmp);
    expect(await b.costSince('team-a', 0)).toBe(0.5);
    await b.close();
  });
});

describeWithService(['postgres'], 'postgres spend sink', () => {
  const table = scratchTable('spend_test');
  afterAll(() => dropPostgresTable(table));
  sinkContract('rows', () => openSpendSink(`${POSTGRES_URL}?table=${table}`, tmp));

  it('rejects a table name that is not a plain identifier', () => {
    expect(() => openSpendSink(`${POSTGRES_URL}?table=x;drop`, tmp)).toThrow(/invalid PostgreSQL table name/);
  });

  it('fails writes (for the writer to retry) when the database is unreachable', async () => {
    const sink = openSpendSink('postgres://postgres@127.0.0.1:1/test', tmp);
    await expect(sink.write([record({})])).rejects.toThrow();
    await sink.close();
  });
});
