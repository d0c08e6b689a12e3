/**
 * Spend records in an embedded SQLite file (better-sqlite3): the zero-setup default. Every statement runs in a
 * worker thread (sqlite-worker.ts), so a file another process has locked, or a slow disk, never stalls the event
 * loop. Two connections, each in its own worker: one writes, one reads. In WAL mode readers never wait for the
 * writer's lock, so GET /admin/spend and budget restores still answer while a write waits out someone else's lock.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  byCost,
  SPEND_COLUMNS,
  spendRow,
  toBigInt,
  toSpendTotal,
  totalsSql,
  type SpendQuery,
  type SpendRecord,
  type SpendSink,
  type SpendTotal,
} from './spend-sink';
import { SqliteWorkerConnection } from './sqlite-worker';

const TABLE = `
CREATE TABLE IF NOT EXISTS spend (
  ts INTEGER NOT NULL, request_id TEXT NOT NULL, key_name TEXT, alias TEXT NOT NULL, provider TEXT, model TEXT,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0, reasoning_tokens INTEGER NOT NULL DEFAULT 0, cost_pico INTEGER,
  estimated INTEGER NOT NULL DEFAULT 0, latency_ms INTEGER NOT NULL, status INTEGER NOT NULL, attempts INTEGER NOT NULL,
  cache_hit INTEGER NOT NULL
);`;

/** Columns a table made by an older Switchyard lacks, with how to add them. */
const ADDED_COLUMNS: readonly [string, string][] = [
  ['cache_write_tokens', 'INTEGER NOT NULL DEFAULT 0'],
  ['reasoning_tokens', 'INTEGER NOT NULL DEFAULT 0'],
  ['cost_pico', 'INTEGER'],
  ['estimated', 'INTEGER NOT NULL DEFAULT 0'],
];

const INDEXES = `
CREATE INDEX IF NOT EXISTS spend_ts ON spend (ts);
CREATE INDEX IF NOT EXISTS spend_key_ts ON spend (key_name, ts);
CREATE INDEX IF NOT EXISTS spend_alias_ts ON spend (alias, ts);
CREATE INDEX IF NOT EXISTS spend_model_ts ON spend (model, ts);
CREATE INDEX IF NOT EXISTS spend_provider_ts ON spend (provider, ts);`;

const INSERT = `INSERT INTO spend (${SPEND_COLUMNS.join(', ')}) VALUES (${SPEND_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (request_id) DO NOTHING`;

/**
 * Brings a table of any earlier version to the current one, in one transaction: adds the new columns, converts
 * the old REAL `cost_usd` (USD, rounded to the nano-dollar) to whole pico-dollars once and drops it, removes the
 * duplicate rows a retried batch could leave before request ids were unique, and adds the unique index.
 */
async function migrate(db: SqliteWorkerConnection): Promise<void> {
  await db.exec('BEGIN IMMEDIATE');
  try {
    await db.exec(TABLE);
    const columns = new Set((await db.all('PRAGMA table_info(spend)')).map((c) => String(c.name)));
    for (const [name, type] of ADDED_COLUMNS) if (!columns.has(name)) await db.exec(`ALTER TABLE spend ADD COLUMN ${name} ${type}`);
    if (columns.has('cost_usd')) {
      await db.exec('UPDATE spend SET cost_pico = CAST(ROUND(cost_usd * 1000000000000) AS INTEGER) WHERE cost_usd IS NOT NULL AND cost_pico IS NULL');
      await db.exec('ALTER TABLE spend DROP COLUMN cost_usd');
    }
    const indexes = new Set((await db.all("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'spend'")).map((r) => String(r.name)));
    if (!indexes.has('spend_request_id')) {
      await db.exec('DELETE FROM spend WHERE rowid NOT IN (SELECT MIN(rowid) FROM spend GROUP BY request_id)');
      await db.exec('CREATE UNIQUE INDEX spend_request_id ON spend (request_id)');
    }
    await db.exec(INDEXES);
    await db.exec('COMMIT');
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => {});
    throw err;
  }
}

/**
 * @example const sink = new SqliteSpendSink('/var/lib/switchyard/spend.db');
 */
export class SqliteSpendSink implements SpendSink {
  readonly kind = 'sqlite';
  private readonly writer: SqliteWorkerConnection;
  private readonly reader: SqliteWorkerConnection;
  private ready: Promise<void> | undefined;

  /** `file` is a path, or ":memory:" (then one connection does both, since a second would see another database). */
  constructor(file: string, options: { busyTimeoutMs?: number } = {}) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.writer = new SqliteWorkerConnection(file, options.busyTimeoutMs);
    this.reader = file === ':memory:' ? this.writer : new SqliteWorkerConnection(file, options.busyTimeoutMs);
  }

  async write(records: readonly SpendRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.schema();
    await this.writer.runMany(
      INSERT,
      records.map((r) => spendRow(r, 'int') as (string | number | null)[]),
    );
  }

  async totals(query: SpendQuery): Promise<SpendTotal[]> {
    await this.schema();
    const rows = await this.reader.all(totalsSql('spend', query.groupBy, 'sqlite'), [query.since ?? 0, query.until ?? Number.MAX_SAFE_INTEGER]);
    return rows.map((r) => toSpendTotal(r, query.groupBy)).sort(byCost(query.groupBy));
  }

  async costSince(keyName: string, since: number): Promise<number> {
    await this.schema();
    const [row] = await this.reader.all('SELECT COALESCE(SUM(cost_pico), 0) AS cost FROM spend WHERE key_name = ? AND ts >= ?', [keyName, since]);
    return Number(toBigInt(row?.cost));
  }

  async close(): Promise<void> {
    await this.writer.close();
    await this.reader.close();
  }

  /** The table, migrated, before the first statement; a failure (a locked file at start) is tried again next call. */
  private schema(): Promise<void> {
    if (!this.ready) {
      this.ready = migrate(this.writer).catch((err: unknown) => {
        this.ready = undefined;
        throw err;
      });
    }
    return this.ready;
  }
}
