/**
 * The request log in a SQLite file (the default: `switchyard-requests.db` beside the config). Every statement
 * runs in a worker thread (sqlite-worker.ts), so no request waits for the disk or another process's lock. WAL
 * lets several gateway processes share the file: each batch is one IMMEDIATE transaction that inserts the new
 * records and adds their sums to the minute, quarter-hour and hour rollups, so they stay exact however many write.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SqliteWorkerConnection, type SqlParams } from '../sqlite-worker';
import type { RequestLogEngine } from './buffered-request-log';
import type { Overview, OverviewRange, RequestFilter, RequestRecord } from './request-record';
import { cellsOf, overviewOf, ROLLUP_UNITS, windowOf, type RollupUnit } from './rollup';
import {
  cellRow,
  listSql,
  packedRecords,
  packedScanSql,
  pagedScan,
  purgeSql,
  rangeCellsFromRows,
  rangeSql,
  recordRow,
  RECORD_COLUMNS,
  rollupUpsertSql,
  rowRecord,
  schemaSql,
  TABLE_PREFIX,
} from './sql';

/** Ids checked per IN (…) list: far below SQLite's 32,766 parameters. */
const IDS_PER_QUERY = 5_000;
const PURGE_BATCH = 5_000;
const SCAN_PAGE = 5_000;

/**
 * @example const engine = new SqliteRequestEngine('/etc/switchyard/switchyard-requests.db');
 */
export class SqliteRequestEngine implements RequestLogEngine {
  readonly kind = 'sqlite';
  private readonly writer: SqliteWorkerConnection;
  private readonly reader: SqliteWorkerConnection;
  private ready: Promise<void> | undefined;
  /** Write transactions on the one writer connection run one after another (a purge and a batch must not interleave). */
  private writing: Promise<unknown> = Promise.resolve();
  private readonly insertSql: string;

  private readonly table: string;

  /** `file` is a path, or ":memory:" (then one connection does both, since a second would see another database). */
  constructor(
    readonly file: string,
    options: { busyTimeoutMs?: number; table?: string } = {},
  ) {
    this.table = options.table ?? 'switchyard_requests';
    if (!TABLE_PREFIX.test(this.table)) throw new Error(`invalid table name "${this.table}"`);
    if (file !== ':memory:') {
      try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
      } catch {
        // An unusable directory fails the first write (logged and counted), never the gateway's start.
      }
    }
    this.writer = new SqliteWorkerConnection(file, options.busyTimeoutMs);
    this.reader = file === ':memory:' ? this.writer : new SqliteWorkerConnection(file, options.busyTimeoutMs);
    this.insertSql = `INSERT INTO ${this.table} (${RECORD_COLUMNS.join(', ')}) VALUES (${RECORD_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`;
  }

  write(records: readonly RequestRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return this.exclusive(async () => {
      await this.schema();
      await this.writer.exec('BEGIN IMMEDIATE');
      try {
        // Under the write lock: records already stored (a retried batch, another process) are neither inserted nor summed again.
        const known = new Set<string>();
        for (let i = 0; i < records.length; i += IDS_PER_QUERY) {
          const ids = records.slice(i, i + IDS_PER_QUERY).map((r) => r.id);
          const rows = await this.writer.all(`SELECT id FROM ${this.table} WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
          for (const row of rows) known.add(String(row.id));
        }
        const fresh = records.filter((r) => !known.has(r.id) && (known.add(r.id), true));
        if (fresh.length > 0) {
          await this.writer.runMany(this.insertSql, fresh.map(recordRow) as SqlParams[]);
          for (const [unit, minutes] of Object.entries(ROLLUP_UNITS) as [RollupUnit, number][])
            await this.writer.runMany(rollupUpsertSql(this.table, unit, 'sqlite', 1), cellsOf(fresh, minutes).map((c) => cellRow(c, unit)) as SqlParams[]);
        }
        await this.writer.exec('COMMIT');
      } catch (err) {
        await this.writer.exec('ROLLBACK').catch(() => {});
        throw err;
      }
    });
  }

  async list(filter: RequestFilter, limit: number): Promise<RequestRecord[]> {
    await this.schema();
    const { sql, params } = listSql(this.table, 'sqlite', filter, limit);
    return (await this.reader.all(sql, params as SqlParams)).map(rowRecord);
  }

  async get(id: string): Promise<RequestRecord | undefined> {
    await this.schema();
    const [row] = await this.reader.all(`SELECT * FROM ${this.table} WHERE id = ?`, [id]);
    return row ? rowRecord(row) : undefined;
  }

  async *scan(since: number, until: number): AsyncIterable<RequestRecord> {
    await this.schema();
    yield* pagedScan(async (after, limit) => {
      const { sql, params } = packedScanSql(this.table, since, until, after, limit);
      const [row] = await this.reader.all(sql, params as SqlParams);
      return packedRecords(String(row.page));
    }, SCAN_PAGE);
  }

  async overview(range: OverviewRange, now: number): Promise<Overview> {
    await this.schema();
    const w = windowOf(range, now);
    const { points, groups, params } = rangeSql(this.table, 'sqlite', w);
    const [pointRows, groupRows] = await Promise.all([this.reader.all(points, params), this.reader.all(groups, params)]);
    return overviewOf(range, w, rangeCellsFromRows(w, pointRows, groupRows));
  }

  purge(before: number): Promise<number> {
    return this.exclusive(async () => {
      await this.schema();
      const { records, rollups, params } = purgeSql(this.table, 'sqlite', before, PURGE_BATCH);
      let deleted = 0;
      // Small transactions, so another process's batch never waits long for the lock.
      for (;;) {
        const n = await this.writer.runMany(records, [params as SqlParams]);
        deleted += n;
        if (n < PURGE_BATCH) break;
      }
      for (const sql of rollups) await this.writer.exec(sql);
      return deleted;
    });
  }

  async close(): Promise<void> {
    await this.writing.catch(() => {});
    await this.writer.close();
    await this.reader.close();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writing.then(work, work);
    this.writing = run.catch(() => {});
    return run;
  }

  /** The tables before the first statement; a failure (a locked or unwritable file) is tried again next call. */
  private schema(): Promise<void> {
    if (!this.ready) {
      this.ready = (async () => {
        // NORMAL is durable across a process crash in WAL mode (an OS crash may lose the last batches: a log, not money).
        // A 64 MiB page cache on the writer: inserts land on random pages of the id index (ids are random).
        await this.writer.exec(`PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; ${schemaSql(this.table, 'sqlite').join(';\n')};`);
      })().catch((err: unknown) => {
        this.ready = undefined;
        throw err;
      });
    }
    return this.ready;
  }
}
