/**
 * Responses in PostgreSQL (pg), for several gateway instances sharing one conversation state. The table is
 * created on first use. The record is kept as text, not jsonb: jsonb would reorder the Response object's keys.
 */
import type { Pool } from 'pg';
import { decodeStored, encodeStored, type ResponseBackend } from './backend';
import type { StoredResponse } from './types';
import { openPostgresPool } from '../../stores/postgres-pool';

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Rows one purge statement deletes, so a long-unpurged table is emptied in short statements. */
export const POSTGRES_PURGE_BATCH = 1000;

/**
 * @example const backend = new PostgresResponseBackend('postgres://postgres@127.0.0.1:5432/test', 'switchyard_responses');
 */
export class PostgresResponseBackend implements ResponseBackend {
  readonly kind = 'postgres';
  private readonly pool: Pool;
  private schemaReady: Promise<void> | undefined;

  constructor(
    connectionString: string,
    readonly table = 'switchyard_responses',
  ) {
    if (!TABLE_NAME.test(table)) throw new Error(`invalid PostgreSQL table name "${table}"`);
    this.pool = openPostgresPool(connectionString, 8);
  }

  async put(response: StoredResponse): Promise<void> {
    await this.ensureSchema();
    await this.pool.query(
      `INSERT INTO ${this.table} (id, owner, created_at, record) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner, created_at = EXCLUDED.created_at, record = EXCLUDED.record`,
      [response.id, response.owner, response.createdAt, encodeStored(response)],
    );
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    await this.ensureSchema();
    const r = await this.pool.query<{ record: string }>(`SELECT record FROM ${this.table} WHERE id = $1`, [id]);
    return r.rows[0] ? decodeStored(r.rows[0].record) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    await this.ensureSchema();
    const r = await this.pool.query(`DELETE FROM ${this.table} WHERE id = $1`, [id]);
    return (r.rowCount ?? 0) > 0;
  }

  async purgeCreatedBefore(cutoff: number): Promise<number> {
    await this.ensureSchema();
    let total = 0;
    for (;;) {
      const r = await this.pool.query(
        `DELETE FROM ${this.table} WHERE id IN (SELECT id FROM ${this.table} WHERE created_at < $1 LIMIT ${POSTGRES_PURGE_BATCH})`,
        [cutoff],
      );
      const n = r.rowCount ?? 0;
      total += n;
      if (n < POSTGRES_PURGE_BATCH) return total;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private ensureSchema(): Promise<void> {
    this.schemaReady ??= this.pool
      .query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (id TEXT PRIMARY KEY, owner TEXT, created_at BIGINT NOT NULL, record TEXT NOT NULL);
         CREATE INDEX IF NOT EXISTS ${this.table}_created_at ON ${this.table} (created_at);`,
      )
      .then(
        () => undefined,
        (err: unknown) => {
          // Not cached: the next call tries again (the database may be back).
          this.schemaReady = undefined;
          throw err;
        },
      );
    return this.schemaReady;
  }
}
