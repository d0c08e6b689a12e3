/**
 * The SQL both database request logs share (SQLite and PostgreSQL differ in placeholders, types and a few
 * words): the tables and indexes, a record as a row and back, the Requests page's filters as a WHERE clause,
 * the rollup upserts that add, and the range queries the Overview reads.
 *
 * Tables, for a prefix P (default `switchyard_requests`):
 *   P            one row per request; `failed` (status ≥ 400) so "errors only" has its own index
 *   P_minute     rollup cells per minute × alias × provider (the hour's 60 points)
 *   P_quarter    the same per 15 minutes (the day's 96 points: 96 × aliases × providers rows, not 1,440 ×)
 *   P_hour       the same per hour (the week's 168 points)
 */
import { BOUNDS, ROLLUP_UNITS, type KeyedCell, type RangeCells, type RangeWindow, type RollupUnit, emptyCell, tally, usdOf } from './rollup';
import type { RecordedAttempt, RequestFeatures, RequestFilter, RequestRecord } from './request-record';

export type Dialect = 'sqlite' | 'postgres';
export type SqlValue = string | number | bigint | null;

export const TABLE_PREFIX = /^[A-Za-z_][A-Za-z0-9_]{0,50}$/;

const HIST = BOUNDS.map((_, i) => i);
const LATENCY_COLUMNS = HIST.map((i) => `l${i}`);
const TTFB_COLUMNS = HIST.map((i) => `t${i}`);
const CELL_COLUMNS = ['requests', 'errors', 'tokens', 'cost_pico', ...LATENCY_COLUMNS, ...TTFB_COLUMNS];

/** The request table's columns, in the order of `recordRow`. */
export const RECORD_COLUMNS = [
  'id',
  'time',
  'endpoint',
  'key_name',
  'alias',
  'provider',
  'model',
  'status',
  'failed',
  'stream',
  'latency_ms',
  'ttfb_ms',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_pico',
  'cache',
  'error',
  'error_code',
  'attempts',
  'features',
  'metadata',
  'content',
] as const;

/** Everything but `content`: what the list reads. */
const LIST_COLUMNS = RECORD_COLUMNS.filter((c) => c !== 'content').join(', ');

/**
 * CREATE statements for the tables and indexes (idempotent).
 *
 * @example await db.exec(schemaSql('switchyard_requests', 'sqlite').join(';\n'))
 */
export function schemaSql(t: string, d: Dialect): string[] {
  const big = d === 'postgres' ? 'BIGINT' : 'INTEGER';
  const real = d === 'postgres' ? 'DOUBLE PRECISION' : 'REAL';
  const cellColumns = CELL_COLUMNS.map((c) => `${c} ${big} NOT NULL DEFAULT 0`).join(', ');
  const rollup = (name: string, unit: string) =>
    `CREATE TABLE IF NOT EXISTS ${t}_${name} (${unit} ${big} NOT NULL, alias TEXT NOT NULL, provider TEXT NOT NULL, ${cellColumns}, PRIMARY KEY (${unit}, alias, provider))`;
  return [
    `CREATE TABLE IF NOT EXISTS ${t} (
      id TEXT PRIMARY KEY, time ${big} NOT NULL, endpoint TEXT NOT NULL, key_name TEXT, alias TEXT, provider TEXT, model TEXT,
      status INTEGER NOT NULL, failed INTEGER NOT NULL, stream INTEGER NOT NULL, latency_ms ${real} NOT NULL, ttfb_ms ${real},
      prompt_tokens INTEGER, completion_tokens INTEGER, cached_tokens INTEGER, cache_write_tokens INTEGER, reasoning_tokens INTEGER,
      cost_pico ${big}, cache TEXT, error TEXT, error_code TEXT, attempts TEXT NOT NULL, features TEXT, metadata TEXT, content TEXT)`,
    // Newest first with or without one filter, each ending in (time, id): the keyset of `before`/`before_id`.
    `CREATE INDEX IF NOT EXISTS ${t}_time ON ${t} (time, id)`,
    `CREATE INDEX IF NOT EXISTS ${t}_key_time ON ${t} (key_name, time, id)`,
    `CREATE INDEX IF NOT EXISTS ${t}_alias_time ON ${t} (alias, time, id)`,
    `CREATE INDEX IF NOT EXISTS ${t}_provider_time ON ${t} (provider, time, id)`,
    `CREATE INDEX IF NOT EXISTS ${t}_status_time ON ${t} (status, time, id)`,
    `CREATE INDEX IF NOT EXISTS ${t}_failed_time ON ${t} (failed, time, id)`,
    ...(Object.keys(ROLLUP_UNITS) as RollupUnit[]).map((u) => rollup(u, u)),
  ];
}

/** Every table of a prefix, for dropping them (tests, the bench). @example requestLogTables('switchyard_requests') */
export function requestLogTables(t: string): string[] {
  return [t, ...Object.keys(ROLLUP_UNITS).map((u) => `${t}_${u}`)];
}

function n(v: number | undefined): number | null {
  return v === undefined || !Number.isFinite(v) ? null : v;
}

function json(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v);
}

/**
 * A record as the values of RECORD_COLUMNS. Cost in whole pico-dollars (exact sums); JSON for the nested parts.
 *
 * @example rows.push(recordRow(record))
 */
export function recordRow(r: RequestRecord): SqlValue[] {
  return [
    r.id,
    r.time,
    r.endpoint,
    r.key ?? null,
    r.alias ?? null,
    r.provider ?? null,
    r.model ?? null,
    r.status,
    r.status >= 400 ? 1 : 0,
    r.stream ? 1 : 0,
    r.latency_ms,
    n(r.ttfb_ms),
    n(r.prompt_tokens),
    n(r.completion_tokens),
    n(r.cached_tokens),
    n(r.cache_write_tokens),
    n(r.reasoning_tokens),
    r.cost_usd === undefined || !Number.isFinite(r.cost_usd) ? null : String(BigInt(Math.round(r.cost_usd * 1e12))),
    r.cache ?? null,
    r.error ?? null,
    r.error_code ?? null,
    JSON.stringify(r.attempts),
    json(r.features),
    json(r.metadata),
    json(r.content),
  ];
}

function parsed<T>(v: unknown): T | undefined {
  return typeof v === 'string' ? (JSON.parse(v) as T) : undefined;
}

/**
 * A row (SQLite gives integers as bigint, pg gives BIGINT as a string) back as a record; absent fields stay absent.
 *
 * @example const record = rowRecord(rows[0])
 */
export function rowRecord(row: Record<string, unknown>): RequestRecord {
  const r: RequestRecord = {
    id: String(row.id),
    time: Number(row.time),
    endpoint: String(row.endpoint),
    status: Number(row.status),
    stream: Number(row.stream) === 1,
    latency_ms: Number(row.latency_ms),
    attempts: parsed<RecordedAttempt[]>(row.attempts) ?? [],
  };
  // Field by field rather than through an object of optionals: replay decodes a million of these.
  if (typeof row.key_name === 'string') r.key = row.key_name;
  if (typeof row.alias === 'string') r.alias = row.alias;
  if (typeof row.provider === 'string') r.provider = row.provider;
  if (typeof row.model === 'string') r.model = row.model;
  if (row.ttfb_ms != null) r.ttfb_ms = Number(row.ttfb_ms);
  if (row.prompt_tokens != null) r.prompt_tokens = Number(row.prompt_tokens);
  if (row.completion_tokens != null) r.completion_tokens = Number(row.completion_tokens);
  if (row.cached_tokens != null) r.cached_tokens = Number(row.cached_tokens);
  if (row.cache_write_tokens != null) r.cache_write_tokens = Number(row.cache_write_tokens);
  if (row.reasoning_tokens != null) r.reasoning_tokens = Number(row.reasoning_tokens);
  if (row.cost_pico != null) r.cost_usd = usdOf(BigInt(row.cost_pico as string | bigint));
  if (typeof row.cache === 'string') r.cache = row.cache;
  if (typeof row.error === 'string') r.error = row.error;
  if (typeof row.error_code === 'string') r.error_code = row.error_code;
  if (typeof row.features === 'string') r.features = JSON.parse(row.features) as RequestFeatures;
  if (typeof row.metadata === 'string') r.metadata = JSON.parse(row.metadata) as Record<string, string>;
  if (typeof row.content === 'string') r.content = JSON.parse(row.content) as RequestRecord['content'];
  return r;
}

/** Placeholders numbered from 1 ($1, $2 … for pg; ? for SQLite). */
class Params {
  readonly values: SqlValue[] = [];
  constructor(private readonly d: Dialect) {}
  add(v: SqlValue): string {
    this.values.push(v);
    return this.d === 'postgres' ? `$${this.values.length}` : '?';
  }
}

/**
 * The Requests page's query: newest first, filtered, at most `limit`, without content. Each filter has an
 * index ending in (time, id), so a page reads about `limit` index entries. The id substring (`q`) cannot use an
 * index: it is matched in a subquery that reads only (time, id) — the index, never the rows — and the page's
 * rows are fetched by id afterwards.
 *
 * @example const { sql, params } = listSql('switchyard_requests', 'sqlite', { alias: 'chat' }, 200)
 */
export function listSql(t: string, d: Dialect, f: RequestFilter, limit: number): { sql: string; params: SqlValue[] } {
  const p = new Params(d);
  const where: string[] = [];
  if (f.key) where.push(`key_name = ${p.add(f.key)}`);
  if (f.alias) where.push(`alias = ${p.add(f.alias)}`);
  if (f.provider) where.push(`provider = ${p.add(f.provider)}`);
  if (f.status === 'ok') where.push('failed = 0');
  else if (f.status === 'error') where.push('failed = 1');
  else if (f.status && /^\d{3}$/.test(f.status)) where.push(`status = ${p.add(Number(f.status))}`);
  if (f.q) where.push(`${d === 'postgres' ? 'strpos' : 'instr'}(lower(id), ${p.add(f.q.toLowerCase())}) > 0`);
  if (f.since !== undefined) where.push(`time >= ${p.add(f.since)}`);
  if (f.before !== undefined) {
    if (f.before_id !== undefined) where.push(`(time, id) < (${p.add(f.before)}, ${p.add(f.before_id)})`);
    else where.push(`time < ${p.add(f.before)}`);
  }
  const filtered = `FROM ${t}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id DESC LIMIT ${p.add(limit)}`;
  const sql = f.q ? `SELECT ${LIST_COLUMNS} FROM ${t} WHERE id IN (SELECT id ${filtered}) ORDER BY time DESC, id DESC` : `SELECT ${LIST_COLUMNS} ${filtered}`;
  return { sql, params: p.values };
}

/**
 * One page of `scan`: records with since ≤ time < until after the (time, id) cursor, oldest first.
 *
 * @example scanSql('switchyard_requests', 'postgres', since, until, cursor, 1000)
 */
export function scanSql(
  t: string,
  d: Dialect,
  since: number,
  until: number,
  after: { time: number; id: string } | undefined,
  limit: number,
): { sql: string; params: SqlValue[] } {
  const p = new Params(d);
  // After a cursor the range starts at the cursor's time, not at `since`: the planner then seeks the (time, id)
  // index there, where the row value alone left it reading every earlier row of the window again, page after page.
  const where = after
    ? [`time >= ${p.add(after.time)}`, `time < ${p.add(until)}`, `(time, id) > (${p.add(after.time)}, ${p.add(after.id)})`]
    : [`time >= ${p.add(since)}`, `time < ${p.add(until)}`];
  return { sql: `SELECT * FROM ${t} WHERE ${where.join(' AND ')} ORDER BY time, id LIMIT ${p.add(limit)}`, params: p.values };
}

/** The columns holding JSON text: a packed page embeds them as JSON. */
const JSON_COLUMNS: ReadonlySet<string> = new Set(['attempts', 'features', 'metadata', 'content']);

/** What SQLite's page of a scan packs per record: the record's columns but `failed` (the status says it), in order. */
const PACKED_COLUMNS = RECORD_COLUMNS.filter((c) => c !== 'failed').map((c) => (JSON_COLUMNS.has(c) ? `json(${c})` : c));

/**
 * One page of a SQLite `scan` as a single JSON text (`page`): an array of records, each an array of
 * PACKED_COLUMNS. SQLite's worker thread builds it, so the gateway's thread receives one string and decodes it
 * with one JSON.parse, instead of thousands of row objects, their bigints and three JSON texts per row.
 *
 * @example const [{ page }] = await reader.all(...Object.values(packedScanSql(t, since, until, cursor, 5000)))
 */
export function packedScanSql(
  t: string,
  since: number,
  until: number,
  after: { time: number; id: string } | undefined,
  limit: number,
): { sql: string; params: SqlValue[] } {
  const { sql, params } = scanSql(t, 'sqlite', since, until, after, limit);
  const inner = sql.replace('SELECT * ', `SELECT time, id, json_array(${PACKED_COLUMNS.join(', ')}) AS r `);
  return { sql: `SELECT json_group_array(json(r) ORDER BY time, id) AS page FROM (${inner})`, params };
}

type Packed = [
  string,
  number,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  number,
  number,
  number,
  number | null,
  number | null,
  number | null,
  number | null,
  number | null,
  number | null,
  number | null,
  string | null,
  string | null,
  string | null,
  RecordedAttempt[],
  RequestFeatures | null,
  Record<string, string> | null,
  RequestRecord['content'] | null,
];

/**
 * The records of a page packedScanSql made; absent fields stay absent, as rowRecord leaves them.
 *
 * @example const records = packedRecords(String(rows[0].page))
 */
export function packedRecords(page: string): RequestRecord[] {
  const rows = JSON.parse(page) as Packed[];
  const out: RequestRecord[] = new Array<RequestRecord>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const c = rows[i];
    const r: RequestRecord = { id: c[0], time: c[1], endpoint: c[2], status: c[7], stream: c[8] === 1, latency_ms: c[9], attempts: c[20] ?? [] };
    if (c[3] !== null) r.key = c[3];
    if (c[4] !== null) r.alias = c[4];
    if (c[5] !== null) r.provider = c[5];
    if (c[6] !== null) r.model = c[6];
    if (c[10] !== null) r.ttfb_ms = c[10];
    if (c[11] !== null) r.prompt_tokens = c[11];
    if (c[12] !== null) r.completion_tokens = c[12];
    if (c[13] !== null) r.cached_tokens = c[13];
    if (c[14] !== null) r.cache_write_tokens = c[14];
    if (c[15] !== null) r.reasoning_tokens = c[15];
    // One request's pico-dollars are far below 2^53: exact as a JSON number.
    if (c[16] !== null) r.cost_usd = c[16] / 1e12;
    if (c[17] !== null) r.cache = c[17];
    if (c[18] !== null) r.error = c[18];
    if (c[19] !== null) r.error_code = c[19];
    if (c[21] !== null) r.features = c[21];
    if (c[22] !== null) r.metadata = c[22];
    if (c[23] !== null) r.content = c[23];
    out[i] = r;
  }
  return out;
}

/** Rows of one scan page a store read, as records. */
export type ScanPage = (after: { time: number; id: string } | undefined, limit: number) => Promise<RequestRecord[]>;

/**
 * Every record of a scan, page after page by its (time, id) cursor, so replay never holds more than one page.
 *
 * @example yield* pagedScan((after, limit) => readPage(scanSql(t, 'sqlite', since, until, after, limit)), 1000)
 */
export async function* pagedScan(page: ScanPage, size: number): AsyncIterable<RequestRecord> {
  // The next page is asked for before this one is handed out: the database (or SQLite's worker thread) reads
  // it while the caller works through this one.
  let pending = page(undefined, size);
  for (;;) {
    const rows = await pending;
    const last = rows[rows.length - 1];
    if (rows.length === size) pending = page({ time: last.time, id: last.id }, size);
    yield* rows;
    if (rows.length < size) return;
  }
}

/**
 * The upsert of rollup cells into `P_minute`, `P_quarter` or `P_hour` for `rows` cells at once: a cell already
 * there (written by this process or another) gets the new sums added, never replaced.
 *
 * @example db.runMany(rollupUpsertSql(t, 'minute', 'sqlite', 1), cellsOf(records, 1).map((c) => cellRow(c, 'minute')))
 */
export function rollupUpsertSql(t: string, unit: RollupUnit, d: Dialect, rows: number): string {
  const table = `${t}_${unit}`;
  const columns = [unit, 'alias', 'provider', ...CELL_COLUMNS];
  let i = 0;
  const tuple = () => `(${columns.map(() => (d === 'postgres' ? `$${++i}` : '?')).join(', ')})`;
  const tuples = Array.from({ length: rows }, tuple).join(', ');
  const own = d === 'postgres' ? `${table}.` : '';
  const sets = CELL_COLUMNS.map((c) => `${c} = ${own}${c} + excluded.${c}`).join(', ');
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples} ON CONFLICT (${unit}, alias, provider) DO UPDATE SET ${sets}`;
}

/** A cell (summed at the unit's width) as the values of the upsert: its minute becomes the unit's number. @example cellRow(cell, 'hour') */
export function cellRow(c: KeyedCell, unit: RollupUnit): SqlValue[] {
  return [Math.floor(c.minute / ROLLUP_UNITS[unit]), c.alias, c.provider, c.requests, c.errors, c.tokens, String(c.costPico), ...c.latency, ...c.ttfb];
}

/**
 * The two queries of a range: each point's sums, and requests/errors per alias and per provider, both from the
 * one rollup whose rows are the range's points.
 *
 * @example const q = rangeSql(t, 'sqlite', windowOf('week', now))
 */
export function rangeSql(t: string, d: Dialect, w: RangeWindow): { points: string; groups: string; params: SqlValue[] } {
  const unit = w.unit;
  const table = `${t}_${unit}`;
  const ph = d === 'postgres' ? ['$1', '$2'] : ['?', '?'];
  const range = `${unit} >= ${ph[0]} AND ${unit} <= ${ph[1]}`;
  const sums = CELL_COLUMNS.map((c) => `SUM(${c}) AS ${c}`).join(', ');
  return {
    points: `SELECT ${unit} AS p, ${sums} FROM ${table} WHERE ${range} GROUP BY ${unit}`,
    groups: `SELECT alias, provider, SUM(requests) AS requests, SUM(errors) AS errors FROM ${table} WHERE ${range} GROUP BY alias, provider`,
    params: [Math.floor(w.first / w.step), Math.floor(w.last / w.step)],
  };
}

/**
 * The rows of the two range queries as the cells overviewOf reads; points keyed by their first minute.
 *
 * @example overviewOf(range, w, rangeCellsFromRows(w, pointRows, groupRows))
 */
export function rangeCellsFromRows(w: RangeWindow, points: Record<string, unknown>[], groups: Record<string, unknown>[]): RangeCells {
  const out: RangeCells = { points: new Map(), byAlias: new Map(), byProvider: new Map() };
  for (const row of points) {
    const cell = emptyCell();
    cell.requests = Number(row.requests);
    cell.errors = Number(row.errors);
    cell.tokens = Number(row.tokens);
    cell.costPico = BigInt((row.cost_pico as string | bigint | null) ?? 0);
    for (const i of HIST) {
      cell.latency[i] = Number(row[`l${i}`]);
      cell.ttfb[i] = Number(row[`t${i}`]);
    }
    out.points.set(Number(row.p) * w.step, cell);
  }
  for (const row of groups) {
    const t = { requests: Number(row.requests), errors: Number(row.errors) };
    tally(out.byAlias, String(row.alias), t);
    tally(out.byProvider, String(row.provider), t);
  }
  return out;
}

/**
 * The statements that delete records before `before` (a whole hour, so every rollup loses exactly the records
 * it summed): one batch of records, then the rollup rows.
 *
 * @example purgeSql(t, 'sqlite', cutoff, 5000)
 */
export function purgeSql(t: string, d: Dialect, before: number, batch: number): { records: string; rollups: string[]; params: SqlValue[] } {
  const ph = d === 'postgres' ? ['$1', '$2'] : ['?', '?'];
  const batchDelete =
    d === 'postgres'
      ? `DELETE FROM ${t} WHERE ctid IN (SELECT ctid FROM ${t} WHERE time < ${ph[0]} LIMIT ${batch})`
      : `DELETE FROM ${t} WHERE rowid IN (SELECT rowid FROM ${t} WHERE time < ${ph[0]} LIMIT ${batch})`;
  const minute = Math.floor(before / 60_000);
  return {
    records: batchDelete,
    rollups: (Object.keys(ROLLUP_UNITS) as RollupUnit[]).map((u) => `DELETE FROM ${t}_${u} WHERE ${u} < ${Math.floor(minute / ROLLUP_UNITS[u])}`),
    params: [before],
  };
}
