/**
 * Spend records in an embedded SQLite file (better-sqlite3): the zero-setup default. Writes are synchronous
 * inside SQLite but happen off the request path, in the batched writer.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  GROUP_COLUMNS,
  SPEND_COLUMNS,
  spendRow,
  toSpendTotal,
  totalsSelect,
  type SpendQuery,
  type SpendRecord,
  type SpendSink,
  type SpendTotal,
} from './spend-sink';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spend (
  ts INTEGER NOT NULL, request_id TEXT NOT NULL, key_name TEXT, alias TEXT NOT NULL, provider TEXT, model TEXT,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL, cost_usd REAL,
  latency_ms INTEGER NOT NULL, status INTEGER NOT NULL, attempts INTEGER NOT NULL, cache_hit INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS spend_ts ON spend (ts);
CREATE INDEX IF NOT EXISTS spend_key_ts ON spend (key_name, ts);
`;

/**
 * @example const sink = new SqliteSpendSink('/var/lib/switchyard/spend.db');
 */
export class SqliteSpendSink implements SpendSink {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  /** `file` is a path, or ":memory:". The directory is created if needed. */
  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(SCHEMA);
    this.insert = this.db.prepare(`INSERT INTO spend (${SPEND_COLUMNS.join(', ')}) VALUES (${SPEND_COLUMNS.map(() => '?').join(', ')})`);
  }

  async write(records: readonly SpendRecord[]): Promise<void> {
    const insertAll = this.db.transaction((rows: readonly SpendRecord[]) => {
      for (const r of rows) this.insert.run(spendRow(r));
    });
    insertAll(records);
  }

  async totals(query: SpendQuery): Promise<SpendTotal[]> {
    const column = GROUP_COLUMNS[query.groupBy];
    const rows = this.db
      .prepare(`${totalsSelect(column)} FROM spend WHERE ts >= ? AND ts < ? GROUP BY ${column} ORDER BY cost_usd DESC, grp`)
      .all(query.since ?? 0, query.until ?? Number.MAX_SAFE_INTEGER) as Record<string, unknown>[];
    return rows.map(toSpendTotal);
  }

  async costSince(keyName: string, since: number): Promise<number> {
    const row = this.db.prepare('SELECT COALESCE(SUM(cost_usd), 0) AS cost FROM spend WHERE key_name = ? AND ts >= ?').get(keyName, since) as { cost: number };
    return row.cost;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
