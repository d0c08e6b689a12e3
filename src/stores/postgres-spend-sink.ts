/**
 * Spend records in PostgreSQL (pg), for several gateway instances writing to one place. The table is created
 * (or migrated) on first use; a database that is down makes writes fail (the batched writer retries), never
 * requests. Inserts skip a request id already stored, so a batch retried after a reset that may have hidden its
 * commit never duplicates a row.
 */
import type { Pool } from 'pg';
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
import { openPostgresPool } from './postgres-pool';

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const ROWS_PER_INSERT = 2000;

/**
 * Creates the table or brings an older one up to date, in one transaction under an advisory lock (several
 * instances may start at once): new columns; the old DOUBLE PRECISION `cost_usd` converted once to whole
 * pico-dollars and dropped; duplicate rows from before request ids were unique removed; then the unique index.
 */
function schemaSql(table: string): string {
  const name = table.toLowerCase();
  return `
BEGIN;
SELECT pg_advisory_xact_lock(hashtext('switchyard spend schema ${name}'));
CREATE TABLE IF NOT EXISTS ${table} (
  ts BIGINT NOT NULL, request_id TEXT NOT NULL, key_name TEXT, alias TEXT NOT NULL, provider TEXT, model TEXT,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0, reasoning_tokens INTEGER NOT NULL DEFAULT 0, cost_pico BIGINT,
  estimated BOOLEAN NOT NULL DEFAULT false, latency_ms INTEGER NOT NULL, status INTEGER NOT NULL, attempts INTEGER NOT NULL,
  cache_hit BOOLEAN NOT NULL
);
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS cache_write_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS reasoning_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS cost_pico BIGINT;
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS estimated BOOLEAN NOT NULL DEFAULT false;
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '${name}' AND column_name = 'cost_usd') THEN
    UPDATE ${table} SET cost_pico = ROUND(cost_usd * 1e12)::BIGINT WHERE cost_usd IS NOT NULL AND cost_pico IS NULL;
    ALTER TABLE ${table} DROP COLUMN cost_usd;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = '${name}_request_id') THEN
    DELETE FROM ${table} a USING ${table} b WHERE a.request_id = b.request_id AND a.ctid > b.ctid;
    CREATE UNIQUE INDEX ${table}_request_id ON ${table} (request_id);
  END IF;
END $$;
CREATE INDEX IF NOT EXISTS ${table}_ts ON ${table} (ts);
CREATE INDEX IF NOT EXISTS ${table}_key_ts ON ${table} (key_name, ts);
CREATE INDEX IF NOT EXISTS ${table}_alias_ts ON ${table} (alias, ts);
CREATE INDEX IF NOT EXISTS ${table}_model_ts ON ${table} (model, ts);
CREATE INDEX IF NOT EXISTS ${table}_provider_ts ON ${table} (provider, ts);
COMMIT;`;
}

/**
 * @example const sink = new PostgresSpendSink('postgres://postgres@127.0.0.1:5432/test', 'switchyard_spend');
 */
export class PostgresSpendSink implements SpendSink {
  readonly kind = 'postgres';
  private readonly pool: Pool;
  private schemaReady: Promise<void> | undefined;

  constructor(
    connectionString: string,
    readonly table = 'switchyard_spend',
  ) {
    if (!TABLE_NAME.test(table)) throw new Error(`invalid PostgreSQL table name "${table}"`);
    this.pool = openPostgresPool(connectionString, 4);
  }

  async write(records: readonly SpendRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.ensureSchema();
    // A statement takes at most 65,535 parameters; each chunk is idempotent on its own, so no transaction is needed.
    for (let i = 0; i < records.length; i += ROWS_PER_INSERT) await this.insert(records.slice(i, i + ROWS_PER_INSERT));
  }

  private async insert(records: readonly SpendRecord[]): Promise<void> {
    const values: (string | number | boolean | null)[] = [];
    const tuples = records.map((r) => {
      const start = values.length;
      values.push(...spendRow(r, 'bool'));
      return `(${SPEND_COLUMNS.map((_, i) => `$${start + i + 1}`).join(', ')})`;
    });
    await this.pool.query(`INSERT INTO ${this.table} (${SPEND_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (request_id) DO NOTHING`, values);
  }

  async totals(query: SpendQuery): Promise<SpendTotal[]> {
    await this.ensureSchema();
    const result = await this.pool.query(totalsSql(this.table, query.groupBy, 'postgres'), [query.since ?? 0, query.until ?? Number.MAX_SAFE_INTEGER]);
    return result.rows.map((r: Record<string, unknown>) => toSpendTotal(r, query.groupBy)).sort(byCost(query.groupBy));
  }

  async costSince(keyName: string, since: number): Promise<number> {
    await this.ensureSchema();
    const result = await this.pool.query(`SELECT COALESCE(SUM(cost_pico), 0) AS cost FROM ${this.table} WHERE key_name = $1 AND ts >= $2`, [keyName, since]);
    return Number(toBigInt(result.rows[0].cost));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private ensureSchema(): Promise<void> {
    if (!this.schemaReady) {
      this.schemaReady = (async () => {
        const client = await this.pool.connect();
        try {
          await client.query(schemaSql(this.table));
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw err;
        } finally {
          client.release();
        }
      })().catch((err: unknown) => {
        // Try again on the next call: the database may simply not be up yet.
        this.schemaReady = undefined;
        throw err;
      });
    }
    return this.schemaReady;
  }
}
