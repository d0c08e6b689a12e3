/**
 * What replay reads of each store: `scan` gives every record whole and unchanged (content, cost, features,
 * metadata, attempts; absent fields absent), oldest first, across the store's large pages. SQLite packs each
 * page into one JSON text in its worker thread; this is the check that the packing loses nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { fullRecord, record, T0 } from '../dashboard/request-log-contract';
import { describeWithService, POSTGRES_URL } from '../helpers/services';
import { createLogger } from '../../src/observability/logger';
import { BufferedRequestLog } from '../../src/stores/request-log/buffered-request-log';
import { MemoryRequestLog } from '../../src/stores/request-log/memory-request-log';
import { PostgresRequestEngine } from '../../src/stores/request-log/postgres-request-log';
import { SqliteRequestEngine } from '../../src/stores/request-log/sqlite-request-log';
import { requestLogTables } from '../../src/stores/request-log/sql';
import type { RequestLog, RequestRecord } from '../../src/stores/request-log/request-record';

const silent = createLogger({ silent: true });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-replay-scan-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// The packing must survive quotes, escapes, non-ASCII and newlines in the content.
const full = fullRecord({ content: { request: '{"messages":[{"role":"user","content":"say \\"hi\\" ✓"}]}', response: 'hello\nworld' } });
const bare = record({ id: 'req_bare', time: T0 + 1, status: 429, latency_ms: 3.25, error: 'Rate limit reached', error_code: 'rate_limited', attempts: [] });

async function scanned(log: RequestLog, since: number, until: number): Promise<RequestRecord[]> {
  const out: RequestRecord[] = [];
  for await (const r of log.scan(since, until)) out.push(r);
  return out;
}

function describeScan(name: string, open: () => RequestLog): void {
  describe(name, () => {
    let log: RequestLog;
    beforeEach(() => {
      log = open();
    });
    afterEach(() => log.close());

    test('scan gives each record exactly as it was written, content and absent fields included', async () => {
      log.append(bare);
      log.append(full);
      await log.flush();
      expect(await scanned(log, T0, T0 + 2)).toEqual([full, bare]);
    });

    test('scan reads a window larger than one page in (time, id) order, and nothing outside it', async () => {
      // 12,000 records over 4,000 ms, three per millisecond: pages of 5,000 end inside a millisecond.
      for (let i = 0; i < 12_000; i++) log.append(record({ id: `req_${String(11_999 - i).padStart(5, '0')}`, time: T0 + Math.floor(i / 3) }));
      await log.flush();
      const got = await scanned(log, T0 + 1, T0 + 3999);
      expect(got).toHaveLength(3998 * 3);
      const order = got.map((r) => [r.time, r.id] as const);
      expect(order).toEqual([...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1)));
      expect(new Set(got.map((r) => r.id)).size).toBe(got.length);
    });
  });
}

let n = 0;
describeScan('memory', () => new MemoryRequestLog(20_000));
describeScan('SQLite', () => new BufferedRequestLog(new SqliteRequestEngine(path.join(dir, `scan-${n++}.db`)), { log: silent, where: 'test' }));

const PREFIX = `replay_scan_${process.pid}`;
const tables: string[] = [];
describeWithService(['postgres'], 'PostgreSQL', () => {
  afterAll(async () => {
    const pool = new Pool({ connectionString: POSTGRES_URL });
    for (const t of tables) await pool.query(`DROP TABLE IF EXISTS ${requestLogTables(t).join(', ')}`);
    await pool.end();
  });
  describeScan('scan', () => {
    const table = `${PREFIX}_${n++}`;
    tables.push(table);
    return new BufferedRequestLog(new PostgresRequestEngine(POSTGRES_URL, table), { log: silent, where: 'test' });
  });
});
