/**
 * The request log in PostgreSQL, for several gateway instances writing to one place. Tables are created on first
 * use (under an advisory lock: instances may start at once). Each batch is one transaction: the insert skips ids
 * already stored and returns the ones it kept, and only those are added to the minute, quarter and hour rollups (cells in
 * key order, so two instances never deadlock). A database that is down fails the write (the batched writer
 * retries), never a request.
 */
import type { Pool, PoolClient } from 'pg';
import type { RequestLogEngine } from './buffered-request-log';
import type { Overview, OverviewRange, RequestFilter, RequestRecord } from './request-record';
import { cellsOf, overviewOf, ROLLUP_UNITS, windowOf, type KeyedCell, type RollupUnit } from './rollup';
import {
  cellRow,
  listSql,
  pagedScan,
  purgeSql,
  rangeCellsFromRows,
  rangeSql,
  recordRow,
  RECORD_COLUMNS,
  rollupUpsertSql,
  rowRecord,
  scanSql,
  schemaSql,
  TABLE_PREFIX,
  type SqlValue,
} from './sql';
import { openPostgresPool } from '../postgres-pool';

/** A statement takes at most 65,535 parameters: 25 per record, 108 per rollup cell. */
const RECORDS_PER_INSERT = 2_000;
const CELLS_PER_UPSERT = 500;
const PURGE_BATCH = 5_000;
const SCAN_PAGE = 5_000;

/**
 * @example const engine = new PostgresRequestEngine('postgres://postgres@127.0.0.1:5432/test', 'switchyard_requests');
 */
export class PostgresRequestEngine implements RequestLogEngine {
  readonly kind = 'postgres';
  private readonly pool: Pool;
  private ready: Promise<void> | undefined;

  constructor(
    connectionString: string,
    readonly table = 'switchyard_requests',
  ) {
    if (!TABLE_PREFIX.test(table)) throw new Error(`invalid PostgreSQL table name "${table}"`);
    this.pool = openPostgresPool(connectionString, 4);
  }

  async write(records: readonly RequestRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.schema();
    await this.inTransaction(async (client) => {
      const kept = new Set<string>();
      for (let i = 0; i < records.length; i += RECORDS_PER_INSERT) {
        const chunk = records.slice(i, i + RECORDS_PER_INSERT);
        const values: SqlValue[] = [];
        const tuples = chunk.map((r) => {
          const start = values.length;
          values.push(...recordRow(r));
          return `(${RECORD_COLUMNS.map((_, j) => `$${start + j + 1}`).join(', ')})`;
        });
        const result = await client.query<{ id: string }>(
          `INSERT INTO ${this.table} (${RECORD_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (id) DO NOTHING RETURNING id`,
          values,
        );
        for (const row of result.rows) kept.add(row.id);
      }
      // Only what this transaction inserted is summed: a retried batch or another instance's copy adds nothing.
      const seen = new Set<string>();
      const fresh = records.filter((r) => kept.has(r.id) && !seen.has(r.id) && (seen.add(r.id), true));
      for (const [unit, minutes] of Object.entries(ROLLUP_UNITS) as [RollupUnit, number][]) await this.upsert(client, unit, cellsOf(fresh, minutes));
    });
  }

  /** Runs `work` in one transaction on one pooled connection: committed when it resolves, rolled back when it throws. */
  private async inTransaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  private async upsert(client: PoolClient, unit: RollupUnit, cells: KeyedCell[]): Promise<void> {
    for (let i = 0; i < cells.length; i += CELLS_PER_UPSERT) {
      const chunk = cells.slice(i, i + CELLS_PER_UPSERT);
      await client.query(
        rollupUpsertSql(this.table, unit, 'postgres', chunk.length),
        chunk.flatMap((c) => cellRow(c, unit)),
      );
    }
  }

  async list(filter: RequestFilter, limit: number): Promise<RequestRecord[]> {
    await this.schema();
    const { sql, params } = listSql(this.table, 'postgres', filter, limit);
    return (await this.pool.query(sql, params)).rows.map(rowRecord);
  }

  async get(id: string): Promise<RequestRecord | undefined> {
    await this.schema();
    const [row] = (await this.pool.query(`SELECT * FROM ${this.table} WHERE id = $1`, [id])).rows as Record<string, unknown>[];
    return row ? rowRecord(row) : undefined;
  }

  async *scan(since: number, until: number): AsyncIterable<RequestRecord> {
    await this.schema();
    yield* pagedScan(async (after, limit) => {
      const { sql, params } = scanSql(this.table, 'postgres', since, until, after, limit);
      return (await this.pool.query(sql, params)).rows.map(rowRecord);
    }, SCAN_PAGE);
  }

  async overview(range: OverviewRange, now: number): Promise<Overview> {
    await this.schema();
    const w = windowOf(range, now);
    const { points, groups, params } = rangeSql(this.table, 'postgres', w);
    const [p, g] = await Promise.all([this.pool.query(points, params), this.pool.query(groups, params)]);
    return overviewOf(range, w, rangeCellsFromRows(w, p.rows as Record<string, unknown>[], g.rows as Record<string, unknown>[]));
  }

  async purge(before: number): Promise<number> {
    await this.schema();
    const { records, rollups, params } = purgeSql(this.table, 'postgres', before, PURGE_BATCH);
    let deleted = 0;
    for (;;) {
      const n = (await this.pool.query(records, params)).rowCount ?? 0;
      deleted += n;
      if (n < PURGE_BATCH) break;
    }
    for (const sql of rollups) await this.pool.query(sql);
    return deleted;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private schema(): Promise<void> {
    if (!this.ready) {
      this.ready = this.inTransaction(async (client) => {
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('switchyard request log schema ${this.table.toLowerCase()}'))`);
        for (const sql of schemaSql(this.table, 'postgres')) await client.query(sql);
      }).catch((err: unknown) => {
        // Try again on the next call: the database may simply not be up yet.
        this.ready = undefined;
        throw err;
      });
    }
    return this.ready;
  }
}
