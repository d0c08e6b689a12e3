/**
 * Spend records in PostgreSQL (pg), for several gateway instances writing to one place. The table is created
 * on first use; a database that is down makes writes fail (the batched writer retries), never requests.
 */
import { Pool } from 'pg';
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

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function schemaSql(table: string): string {
  return `
CREATE TABLE IF NOT EXISTS ${table} (
  ts BIGINT NOT NULL, request_id TEXT NOT NULL, key_name TEXT, alias TEXT NOT NULL, provider TEXT, model TEXT,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL, cost_usd DOUBLE PRECISION,
  latency_ms INTEGER NOT NULL, status INTEGER NOT NULL, attempts INTEGER NOT NULL, cache_hit BOOLEAN NOT NULL
);
CREATE INDEX IF NOT EXISTS ${table}_ts ON ${table} (ts);
CREATE INDEX IF NOT EXISTS ${table}_key_ts ON ${table} (key_name, ts);`;
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
    this.pool = new Pool({ connectionString, max: 4, connectionTimeoutMillis: 2000, idleTimeoutMillis: 10_000 });
    // An idle client losing its connection emits here; without a listener it would crash the process.
    this.pool.on('error', () => {});
  }

  async write(records: readonly SpendRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.ensureSchema();
    const values: (string | number | boolean | null)[] = [];
    const tuples = records.map((r) => {
      const start = values.length;
      // cache_hit is a real BOOLEAN here, unlike SQLite's 0/1.
      values.push(...spendRow(r).slice(0, -1), r.cacheHit);
      return `(${SPEND_COLUMNS.map((_, i) => `$${start + i + 1}`).join(', ')})`;
    });
    await this.pool.query(`INSERT INTO ${this.table} (${SPEND_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, values);
  }

  async totals(query: SpendQuery): Promise<SpendTotal[]> {
    await this.ensureSchema();
    const column = GROUP_COLUMNS[query.groupBy];
    const result = await this.pool.query(
      `${totalsSelect(column)} FROM ${this.table} WHERE ts >= $1 AND ts < $2 GROUP BY ${column} ORDER BY cost_usd DESC, grp`,
      [query.since ?? 0, query.until ?? Number.MAX_SAFE_INTEGER],
    );
    return result.rows.map(toSpendTotal);
  }

  async costSince(keyName: string, since: number): Promise<number> {
    await this.ensureSchema();
    const result = await this.pool.query(`SELECT COALESCE(SUM(cost_usd), 0) AS cost FROM ${this.table} WHERE key_name = $1 AND ts >= $2`, [keyName, since]);
    return Number(result.rows[0].cost);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private ensureSchema(): Promise<void> {
    if (!this.schemaReady) {
      this.schemaReady = this.pool.query(schemaSql(this.table)).then(
        () => undefined,
        (err: unknown) => {
          // Try again on the next call: the database may simply not be up yet.
          this.schemaReady = undefined;
          throw err;
        },
      );
    }
    return this.schemaReady;
  }
}
