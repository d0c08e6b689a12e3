/**
 * The request log's record: one per finished request, written by the dashboard's recorder and read by the
 * Requests page, the Overview's rollups and `switchyard replay`. It keeps what replaying the request under
 * another config needs (the facts route rules read, tokens, every attempt's outcome and latency) and never the
 * prompt or answer text unless `server.dashboard.log_content` opts in (`content`).
 */

/** One attempt at one target, in the order they started. */
export interface RecordedAttempt {
  provider: string;
  model: string;
  /** The upstream's HTTP status, when it answered. */
  status?: number;
  /** The failure kind (routing/attempt-failure.ts `kind`: network, status, stream_cut, …) when it failed. */
  kind?: string;
  /** Why it failed or was skipped, redacted. */
  reason?: string;
  /** When it started, ms after the request started. */
  start_ms?: number;
  ttfb_ms?: number;
  latency_ms: number;
  ok: boolean;
  /** Not sent at all (cooling down, lacking a capability, unhealthy). */
  skipped?: boolean;
  hedge?: boolean;
}

/** What route rules, capabilities and prices read about a request: enough to route it again without its text. */
export interface RequestFeatures {
  has_tools: boolean;
  has_images: boolean;
  /** `response_format` / `text.format` asked for JSON (json_schema or json_object). */
  structured_output: boolean;
  /** The gateway's own estimate of the prompt's tokens, before any upstream counted them. */
  estimated_prompt_tokens: number;
  /** The completion budget the request asked for. */
  max_tokens?: number;
  /** Choices asked for (`n`), when more than one. */
  n?: number;
  /** The prompt-complexity score, 0…1 (routing/complexity.ts). */
  complexity?: number;
}

export interface RequestRecord {
  /** The request id (x-request-id). Unique in a log: writing it twice keeps one record. */
  id: string;
  /** Request start, ms since epoch. */
  time: number;
  /** The endpoint's name: chat, completions, messages, responses, embeddings, passthrough, … */
  endpoint: string;
  /** The caller's key name (auth plugin); absent without auth. */
  key?: string;
  /** The alias the client asked for. */
  alias?: string;
  /** The target that served the answer. */
  provider?: string;
  model?: string;
  status: number;
  stream: boolean;
  latency_ms: number;
  /** Time to the first byte of the served attempt. */
  ttfb_ms?: number;
  prompt_tokens?: number;
  completion_tokens?: number;
  cached_tokens?: number;
  cache_write_tokens?: number;
  reasoning_tokens?: number;
  /** USD; absent when the price is unknown or no cost-log plugin runs. */
  cost_usd?: number;
  /** The response cache's verdict (hit, miss, bypass), when a cache plugin ran. */
  cache?: string;
  /** The client-facing error message, redacted, when the request failed. */
  error?: string;
  /** The error's code from the catalogue (src/errors.ts), when it failed. */
  error_code?: string;
  attempts: RecordedAttempt[];
  /** Absent on endpoints that carry no model request (passthrough). */
  features?: RequestFeatures;
  /** The x-switchyard-metadata pairs the request carried (route rules match on them). */
  metadata?: Record<string, string>;
  /** Only with log_content: the request body and the answer's text, each cut at 20,000 characters. */
  content?: { request: string; response?: string };
}

/** What the Requests page filters on. */
export interface RequestFilter {
  key?: string;
  alias?: string;
  provider?: string;
  /** 'ok' (below 400), 'error' (400 and up), or an exact status. */
  status?: string;
  /** Case-insensitive substring of the id. */
  q?: string;
  /** Only records that started at or after this time (ms since epoch): bounds what an id search scans. */
  since?: number;
  /** Only records that started before this time (ms since epoch): the next page of a newest-first list. */
  before?: number;
  /**
   * With `before`: also the records that started at exactly `before` with an id below this one (the list is
   * ordered by time, then id, both descending), so a page boundary inside one millisecond loses nothing.
   */
  before_id?: string;
}

/** The Overview's ranges: the last hour in 60 points of a minute, a day in 96 of 15 minutes, a week in 168 of an hour. */
export type OverviewRange = 'hour' | 'day' | 'week';

export interface OverviewPoint {
  /** Start of the point, ms since epoch. */
  t: number;
  requests_per_s: number;
  error_rate: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  ttfb_p50_ms: number | null;
  ttfb_p95_ms: number | null;
  tokens_per_s: number;
  spend_usd_per_hour: number;
}

export interface OverviewGroup {
  name: string;
  requests: number;
  errors: number;
  error_rate: number;
}

/** What the Overview page shows; latency percentiles are read off ×1.3 histogram buckets (the bucket's upper bound). */
export interface Overview {
  range: OverviewRange;
  step_s: number;
  points: OverviewPoint[];
  totals: {
    requests: number;
    errors: number;
    error_rate: number | null;
    p50_ms: number | null;
    p95_ms: number | null;
    ttfb_p50_ms: number | null;
    ttfb_p95_ms: number | null;
    tokens: number;
    cost_usd: number;
  };
  by_alias: OverviewGroup[];
  by_provider: OverviewGroup[];
}

/**
 * Where records live: memory (a bounded ring, tests and `store: memory`), SQLite (the default, a file beside the
 * config) or PostgreSQL. Writes are batched and never block a request; reads serve the dashboard and replay.
 */
export interface RequestLog {
  /** "memory", "sqlite" or "postgres", for log lines. */
  readonly kind: string;
  /** Queues records for writing; a record whose id is already stored is skipped. Never throws. */
  append(record: RequestRecord): void;
  /** Newest first, filtered, at most `limit`; without `content`. */
  list(filter: RequestFilter, limit: number): Promise<RequestRecord[]>;
  /** One record with its attempts (and content when kept). */
  get(id: string): Promise<RequestRecord | undefined>;
  /** Every record with `since <= time < until`, oldest first, in pages: what replay reads. */
  scan(since: number, until: number): AsyncIterable<RequestRecord>;
  /** The Overview of the last hour, day or week, read from the minute, quarter-hour or hour rollup only. */
  overview(range: OverviewRange, now: number): Promise<Overview>;
  /** Deletes records that started before `before` and their rollup rows, in batches; resolves with the records deleted. */
  purge(before: number): Promise<number>;
  /** Waits until every appended record is stored (tests, shutdown); returns early when the store is failing. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
