/**
 * The spend record (one per request) and the interface every spend sink implements: SQLite, PostgreSQL, JSONL.
 * Amounts are whole pico-dollars (src/pricing/money.ts), stored in INTEGER/BIGINT columns and summed exactly.
 */
import { formatPicoUsd } from '../pricing/money';

/** One request's spend, as written by the cost-log plugin. `requestId` is unique: writing it twice keeps one row. */
export interface SpendRecord {
  /** Request start, ms since epoch. */
  ts: number;
  requestId: string;
  /** The caller's key name; null when no auth plugin runs. */
  keyName: string | null;
  alias: string;
  provider: string | null;
  model: string | null;
  /** All prompt tokens, cached and cache-write ones included (OpenAI's `prompt_tokens`). */
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens read from the provider's cache. */
  cachedTokens: number;
  /** Prompt tokens written to the provider's cache (5-minute and 1-hour writes together). */
  cacheWriteTokens: number;
  /** Output tokens spent on reasoning/thinking (part of `outputTokens`). */
  reasoningTokens: number;
  /** Whole pico-dollars (1e-12 USD); null when the model's price is unknown. */
  costPico: number | null;
  /** The usage was partly estimated (an aborted or cut stream). */
  estimated: boolean;
  latencyMs: number;
  status: number;
  attempts: number;
  cacheHit: boolean;
}

/** What GET /admin/spend can group by; `day` is the UTC calendar day of `ts`. */
export type SpendGroupBy = 'key' | 'alias' | 'provider' | 'model' | 'day';

/** Every group-by dimension, in the order a combination is written (`key,day`). */
export const SPEND_GROUPS: readonly SpendGroupBy[] = ['key', 'alias', 'provider', 'model', 'day'];

export interface SpendQuery {
  /** One dimension or several (`['key', 'day']`): one total per distinct combination. */
  groupBy: readonly SpendGroupBy[];
  /** Inclusive lower bound on `ts`, ms since epoch. */
  since?: number;
  /** Exclusive upper bound on `ts`, ms since epoch. */
  until?: number;
}

/** Totals of one group in GET /admin/spend: a field per group-by dimension (`key`, `day`, …) plus the sums. */
export interface SpendTotal {
  /** The group's value when grouping by one dimension (kept for clients of the single-dimension answer). */
  group?: string | null;
  key?: string | null;
  alias?: string | null;
  provider?: string | null;
  model?: string | null;
  day?: string | null;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** USD, the exact decimal of `cost_pico` (e.g. 1.0246875), as a JSON number. */
  cost_usd: number;
  /** The exact sum in pico-dollars, as a decimal string (no rounding, no 2^53 limit). */
  cost_pico: string;
  /** Requests whose cost is unknown (not included in cost_usd). */
  unpriced_requests: number;
  /** Requests whose usage was partly estimated (included in cost_usd). */
  estimated_requests: number;
}

export interface SpendSink {
  /** "sqlite", "postgres" or "jsonl", for log lines. */
  readonly kind: string;
  /** Writes rows; a record whose `requestId` is already stored is skipped, so a retried batch never duplicates. */
  write(records: readonly SpendRecord[]): Promise<void>;
  totals(query: SpendQuery): Promise<SpendTotal[]>;
  /**
   * Sum of known costs of one key since a time, in pico-dollars: restores budget counters after a restart.
   * Exact up to 2^53 pico-dollars (about $9,007) per key and period.
   */
  costSince(keyName: string, since: number): Promise<number>;
  close(): Promise<void>;
}

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
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_pico',
  'estimated',
  'latency_ms',
  'status',
  'attempts',
  'cache_hit',
] as const;

/**
 * A record as a row of values in `SPEND_COLUMNS` order; booleans as 0/1 (SQLite) or true/false (PostgreSQL).
 *
 * @example db.prepare(insertSql).run(spendRow(record, 'int'))
 */
export function spendRow(r: SpendRecord, booleans: 'int' | 'bool'): (string | number | boolean | null)[] {
  const b = (v: boolean) => (booleans === 'int' ? (v ? 1 : 0) : v);
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
    r.cacheWriteTokens,
    r.reasoningTokens,
    r.costPico === null ? null : Math.round(r.costPico),
    b(r.estimated),
    Math.round(r.latencyMs),
    r.status,
    r.attempts,
    b(r.cacheHit),
  ];
}

/** The SQL dialects the totals query is written for (they differ only in how a day is computed). */
export type SpendDialect = 'sqlite' | 'postgres';

/** The SQL expression of a group-by dimension: the only strings that ever reach SQL from a query parameter. */
export function groupExpression(dimension: SpendGroupBy, dialect: SpendDialect): string {
  switch (dimension) {
    case 'key':
      return 'key_name';
    case 'day':
      // ts is ms since the epoch; the day is UTC, as budget periods are.
      return dialect === 'sqlite' ? `strftime('%Y-%m-%d', ts / 1000, 'unixepoch')` : `to_char(to_timestamp(ts / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
    default:
      return dimension;
  }
}

/**
 * The whole totals query (the same SQL in SQLite and PostgreSQL but for the day expression); `?`/`$n` placeholders
 * for since and until.
 *
 * @example totalsSql('spend', ['key', 'day'], 'sqlite') // SELECT key_name AS g0, strftime(…) AS g1, COUNT(*) … GROUP BY 1, 2
 */
export function totalsSql(table: string, groupBy: readonly SpendGroupBy[], dialect: SpendDialect): string {
  const groups = groupBy.map((d, i) => `${groupExpression(d, dialect)} AS g${i}`).join(', ');
  const positions = groupBy.map((_, i) => String(i + 1)).join(', ');
  const [since, until] = dialect === 'sqlite' ? ['?', '?'] : ['$1', '$2'];
  return `SELECT ${groups}, COUNT(*) AS requests, COALESCE(SUM(input_tokens), 0) AS input_tokens,
    COALESCE(SUM(output_tokens), 0) AS output_tokens, COALESCE(SUM(cached_tokens), 0) AS cached_tokens,
    COALESCE(SUM(cache_write_tokens), 0) AS cache_write_tokens, COALESCE(SUM(reasoning_tokens), 0) AS reasoning_tokens,
    COALESCE(SUM(cost_pico), 0) AS cost_pico, SUM(CASE WHEN cost_pico IS NULL THEN 1 ELSE 0 END) AS unpriced_requests,
    SUM(CASE WHEN estimated THEN 1 ELSE 0 END) AS estimated_requests
    FROM ${table} WHERE ts >= ${since} AND ts < ${until} GROUP BY ${positions}`;
}

/** An integer that may arrive as a number, a bigint (better-sqlite3 safe integers) or a string (pg's BIGINT/NUMERIC). */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.round(value));
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return 0n;
}

/** A sum as a `SpendTotal`, from a row of `totalsSql` (`g0`, `g1`, … for the groups). @example rows.map((r) => toSpendTotal(r, ['key'])) */
export function toSpendTotal(row: Record<string, unknown>, groupBy: readonly SpendGroupBy[]): SpendTotal {
  const groups = groupBy.map((_, i) => {
    const v = row[`g${i}`];
    return v === null || v === undefined ? null : String(v as string | number | bigint);
  });
  return spendTotal(groupBy, groups, {
    requests: toBigInt(row.requests),
    inputTokens: toBigInt(row.input_tokens),
    outputTokens: toBigInt(row.output_tokens),
    cachedTokens: toBigInt(row.cached_tokens),
    cacheWriteTokens: toBigInt(row.cache_write_tokens),
    reasoningTokens: toBigInt(row.reasoning_tokens),
    costPico: toBigInt(row.cost_pico),
    unpriced: toBigInt(row.unpriced_requests),
    estimated: toBigInt(row.estimated_requests),
  });
}

/** Exact running sums of one group (the JSONL sink adds records to these one by one). */
export interface SpendSums {
  requests: bigint;
  inputTokens: bigint;
  outputTokens: bigint;
  cachedTokens: bigint;
  cacheWriteTokens: bigint;
  reasoningTokens: bigint;
  costPico: bigint;
  unpriced: bigint;
  estimated: bigint;
}

/** Builds the API shape from a group's values and its sums. @example spendTotal(['key'], ['team-a'], sums) */
export function spendTotal(groupBy: readonly SpendGroupBy[], groups: (string | null)[], s: SpendSums): SpendTotal {
  const total: SpendTotal = {
    requests: Number(s.requests),
    input_tokens: Number(s.inputTokens),
    output_tokens: Number(s.outputTokens),
    cached_tokens: Number(s.cachedTokens),
    cache_write_tokens: Number(s.cacheWriteTokens),
    reasoning_tokens: Number(s.reasoningTokens),
    cost_usd: Number(formatPicoUsd(s.costPico)),
    cost_pico: s.costPico.toString(),
    unpriced_requests: Number(s.unpriced),
    estimated_requests: Number(s.estimated),
  };
  const named: Partial<Record<SpendGroupBy, string | null>> = {};
  groupBy.forEach((d, i) => (named[d] = groups[i]));
  return groupBy.length === 1 ? { group: groups[0], ...named, ...total } : { ...named, ...total };
}

/** Most expensive first, then by the group values: the order every sink answers in. @example totals.sort(byCost(['key'])) */
export function byCost(groupBy: readonly SpendGroupBy[]): (a: SpendTotal, b: SpendTotal) => number {
  return (a, b) => {
    const diff = BigInt(b.cost_pico) - BigInt(a.cost_pico);
    if (diff !== 0n) return diff > 0n ? 1 : -1;
    for (const d of groupBy) {
      const c = String(a[d]).localeCompare(String(b[d]));
      if (c !== 0) return c;
    }
    return 0;
  };
}
