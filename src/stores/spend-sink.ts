/**
 * The spend record (one per request) and the interface every spend sink implements: SQLite, PostgreSQL, JSONL.
 */

/** One request's spend, as written by the cost-log plugin. */
export interface SpendRecord {
  /** Request start, ms since epoch. */
  ts: number;
  requestId: string;
  /** The caller's key name; null when no auth plugin runs. */
  keyName: string | null;
  alias: string;
  provider: string | null;
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  /** USD; null when the model's price is unknown. */
  costUsd: number | null;
  latencyMs: number;
  status: number;
  attempts: number;
  cacheHit: boolean;
}

export type SpendGroupBy = 'key' | 'alias' | 'provider' | 'model';

export interface SpendQuery {
  groupBy: SpendGroupBy;
  /** Inclusive lower bound on `ts`, ms since epoch. */
  since?: number;
  /** Exclusive upper bound on `ts`, ms since epoch. */
  until?: number;
}

/** Totals of one group in GET /admin/spend. */
export interface SpendTotal {
  group: string | null;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  /** Requests whose cost is unknown (not included in cost_usd). */
  unpriced_requests: number;
}

export interface SpendSink {
  /** "sqlite", "postgres" or "jsonl", for log lines. */
  readonly kind: string;
  write(records: readonly SpendRecord[]): Promise<void>;
  totals(query: SpendQuery): Promise<SpendTotal[]>;
  /** Sum of known costs of one key since a time: restores budget counters after a restart. */
  costSince(keyName: string, since: number): Promise<number>;
  close(): Promise<void>;
}

/** The column holding each group-by dimension; the only strings that ever reach SQL from a query parameter. */
export const GROUP_COLUMNS: Readonly<Record<SpendGroupBy, string>> = {
  key: 'key_name',
  alias: 'alias',
  provider: 'provider',
  model: 'model',
};

/** Column list shared by the SQL sinks, in insert order. */
export const SPEND_COLUMNS = [
  'ts',
  'request_id',
  'key_name',
  'alias',
  'provider',
  'model',
  'input_tokens',
  'output_tokens',
  'cached_tokens',
  'cost_usd',
  'latency_ms',
  'status',
  'attempts',
  'cache_hit',
] as const;

/** A record as a row of values in `SPEND_COLUMNS` order. @example db.prepare(insertSql).run(spendRow(record)) */
export function spendRow(r: SpendRecord): (string | number | null)[] {
  return [
    r.ts,
    r.requestId,
    r.keyName,
    r.alias,
    r.provider,
    r.model,
    r.inputTokens,
    r.outputTokens,
    r.cachedTokens,
    r.costUsd,
    Math.round(r.latencyMs),
    r.status,
    r.attempts,
    r.cacheHit ? 1 : 0,
  ];
}

/** The SELECT list of a totals query (the same SQL in SQLite and PostgreSQL). @example `${totalsSelect('model')} FROM spend GROUP BY model` */
export function totalsSelect(column: string): string {
  return `SELECT ${column} AS grp, COUNT(*) AS requests, COALESCE(SUM(input_tokens), 0) AS input_tokens,
    COALESCE(SUM(output_tokens), 0) AS output_tokens, COALESCE(SUM(cached_tokens), 0) AS cached_tokens,
    COALESCE(SUM(cost_usd), 0) AS cost_usd, SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS unpriced_requests`;
}

/** Converts a totals row (numbers may arrive as strings from pg) to the API shape. @example result.rows.map(toSpendTotal) */
export function toSpendTotal(row: Record<string, unknown>): SpendTotal {
  return {
    group: row.grp === null || row.grp === undefined ? null : String(row.grp as string | number),
    requests: Number(row.requests),
    input_tokens: Number(row.input_tokens),
    output_tokens: Number(row.output_tokens),
    cached_tokens: Number(row.cached_tokens),
    cost_usd: Math.round(Number(row.cost_usd) * 1e9) / 1e9,
    unpriced_requests: Number(row.unpriced_requests),
  };
}
