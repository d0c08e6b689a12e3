/**
 * Reads the rate-limit headers of every provider (OpenAI `x-ratelimit-*`, Anthropic `anthropic-ratelimit-*`,
 * `retry-after`) into one internal form, and writes that form back out as OpenAI-style headers for clients.
 */
import { parseDurationMs, retryAfterMs } from './retry-after';
import type { HeaderBag } from '../upstream/http-spec';

/** One provider's rate-limit state as reported on a response. Every field is optional: vendors differ. */
export interface RateLimitState {
  limitRequests?: number;
  remainingRequests?: number;
  /** Milliseconds until the request budget refills. */
  resetRequestsMs?: number;
  limitTokens?: number;
  remainingTokens?: number;
  /** Milliseconds until the token budget refills. */
  resetTokensMs?: number;
  /** How long the upstream asked us to wait before trying again. */
  retryAfterMs?: number;
}

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function numberHeader(headers: HeaderBag, name: string): number | undefined {
  const v = header(headers, name);
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A reset value is a duration ("6m0s", OpenAI), plain seconds ("30"), or a timestamp (RFC 3339, Anthropic).
 *
 * @example resetToMs('2026-01-01T00:00:05Z', Date.parse('2026-01-01T00:00:00Z')) // 5000
 */
export function resetToMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(trimmed)) return parseDurationMs(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

// Anthropic reports input and output token budgets separately on newer accounts, and a combined one on older.
const ANTHROPIC_TOKEN_PREFIXES = ['anthropic-ratelimit-tokens', 'anthropic-ratelimit-input-tokens', 'anthropic-ratelimit-output-tokens'];

function firstDefined<T>(...values: (T | undefined)[]): T | undefined {
  return values.find((v) => v !== undefined);
}

/**
 * Reads whichever rate-limit headers the upstream sent.
 *
 * @example
 * readRateLimitHeaders({ 'anthropic-ratelimit-requests-remaining': '0',
 *   'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:05Z' }, Date.parse('2026-01-01T00:00:00Z'))
 * // { remainingRequests: 0, resetRequestsMs: 5000, retryAfterMs: 5000 }
 */
export function readRateLimitHeaders(headers: HeaderBag, now: number = Date.now()): RateLimitState {
  const tokenPrefix = ANTHROPIC_TOKEN_PREFIXES.find((p) => header(headers, `${p}-remaining`) !== undefined);
  const state: RateLimitState = {
    limitRequests: firstDefined(numberHeader(headers, 'x-ratelimit-limit-requests'), numberHeader(headers, 'anthropic-ratelimit-requests-limit')),
    remainingRequests: firstDefined(numberHeader(headers, 'x-ratelimit-remaining-requests'), numberHeader(headers, 'anthropic-ratelimit-requests-remaining')),
    resetRequestsMs: firstDefined(
      resetToMs(header(headers, 'x-ratelimit-reset-requests'), now),
      resetToMs(header(headers, 'anthropic-ratelimit-requests-reset'), now),
    ),
    limitTokens: firstDefined(numberHeader(headers, 'x-ratelimit-limit-tokens'), tokenPrefix ? numberHeader(headers, `${tokenPrefix}-limit`) : undefined),
    remainingTokens: firstDefined(
      numberHeader(headers, 'x-ratelimit-remaining-tokens'),
      tokenPrefix ? numberHeader(headers, `${tokenPrefix}-remaining`) : undefined,
    ),
    resetTokensMs: firstDefined(
      resetToMs(header(headers, 'x-ratelimit-reset-tokens'), now),
      tokenPrefix ? resetToMs(header(headers, `${tokenPrefix}-reset`), now) : undefined,
    ),
  };
  state.retryAfterMs = firstDefined(retryAfterMs(headers, now), exhaustedBudgetResetMs(state));
  for (const key of Object.keys(state) as (keyof RateLimitState)[]) if (state[key] === undefined) delete state[key];
  return state;
}

/** One budget an upstream reports: its size, what is left of it, and how long until it refills. */
export interface RateLimitBudget {
  limit?: number;
  remaining?: number;
  /** Milliseconds until the budget refills, from when the response was seen. */
  resetMs?: number;
}

/** The budgets an upstream reported on one response, each kept apart (unlike RateLimitState, which merges). */
export interface RateLimitHeadroom {
  requests?: RateLimitBudget;
  tokens?: RateLimitBudget;
  /** Anthropic's separate input and output token budgets. */
  input_tokens?: RateLimitBudget;
  output_tokens?: RateLimitBudget;
}

/** Header names of each budget, OpenAI's spelling (used by Azure, Groq, DeepSeek and most others) then Anthropic's. */
const BUDGET_HEADERS: Record<keyof RateLimitHeadroom, { limit: string; remaining: string; reset: string }[]> = {
  requests: [
    { limit: 'x-ratelimit-limit-requests', remaining: 'x-ratelimit-remaining-requests', reset: 'x-ratelimit-reset-requests' },
    { limit: 'anthropic-ratelimit-requests-limit', remaining: 'anthropic-ratelimit-requests-remaining', reset: 'anthropic-ratelimit-requests-reset' },
  ],
  tokens: [
    { limit: 'x-ratelimit-limit-tokens', remaining: 'x-ratelimit-remaining-tokens', reset: 'x-ratelimit-reset-tokens' },
    { limit: 'anthropic-ratelimit-tokens-limit', remaining: 'anthropic-ratelimit-tokens-remaining', reset: 'anthropic-ratelimit-tokens-reset' },
  ],
  input_tokens: [
    {
      limit: 'anthropic-ratelimit-input-tokens-limit',
      remaining: 'anthropic-ratelimit-input-tokens-remaining',
      reset: 'anthropic-ratelimit-input-tokens-reset',
    },
  ],
  output_tokens: [
    {
      limit: 'anthropic-ratelimit-output-tokens-limit',
      remaining: 'anthropic-ratelimit-output-tokens-remaining',
      reset: 'anthropic-ratelimit-output-tokens-reset',
    },
  ],
};

/**
 * Every budget the upstream reported, each on its own, for the dashboard's headroom table; empty when it sent none.
 *
 * @example
 * readRateLimitHeadroom({ 'x-ratelimit-limit-requests': '500', 'x-ratelimit-remaining-requests': '499', 'x-ratelimit-reset-requests': '120ms' })
 * // { requests: { limit: 500, remaining: 499, resetMs: 120 } }
 */
export function readRateLimitHeadroom(headers: HeaderBag, now: number = Date.now()): RateLimitHeadroom {
  const out: RateLimitHeadroom = {};
  for (const budget of Object.keys(BUDGET_HEADERS) as (keyof RateLimitHeadroom)[]) {
    for (const names of BUDGET_HEADERS[budget]) {
      const b: RateLimitBudget = {};
      const limit = numberHeader(headers, names.limit);
      const remaining = numberHeader(headers, names.remaining);
      const resetMs = resetToMs(header(headers, names.reset), now);
      if (limit !== undefined) b.limit = limit;
      if (remaining !== undefined) b.remaining = remaining;
      if (resetMs !== undefined) b.resetMs = resetMs;
      if (limit === undefined && remaining === undefined && resetMs === undefined) continue;
      out[budget] = b;
      break;
    }
  }
  return out;
}

/** Without a retry-after, the reset time of a budget that is used up says how long to wait. */
function exhaustedBudgetResetMs(state: RateLimitState): number | undefined {
  const waits: number[] = [];
  if (state.remainingRequests === 0 && state.resetRequestsMs !== undefined) waits.push(state.resetRequestsMs);
  if (state.remainingTokens === 0 && state.resetTokensMs !== undefined) waits.push(state.resetTokensMs);
  return waits.length ? Math.max(...waits) : undefined;
}

/**
 * Just the wait, for error normalisation: retry-after-ms, retry-after, then the reset of an exhausted budget
 * (OpenAI or Anthropic headers).
 *
 * @example upstreamRetryAfterMs({ 'retry-after': '3' }) // 3000
 */
export function upstreamRetryAfterMs(headers: HeaderBag, now: number = Date.now()): number | undefined {
  const direct = retryAfterMs(headers, now);
  if (direct !== undefined) return direct;
  return readRateLimitHeaders(headers, now).retryAfterMs;
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${Math.round(ms / 100) / 10}s`;
}

/**
 * The headers a client sees, in OpenAI's spelling, whatever the provider.
 *
 * @example toOpenAIRateLimitHeaders({ remainingRequests: 4, retryAfterMs: 1500 })
 * // { 'x-ratelimit-remaining-requests': '4', 'retry-after': '2', 'retry-after-ms': '1500' }
 */
export function toOpenAIRateLimitHeaders(state: RateLimitState): Record<string, string> {
  const out: Record<string, string> = {};
  if (state.limitRequests !== undefined) out['x-ratelimit-limit-requests'] = String(state.limitRequests);
  if (state.remainingRequests !== undefined) out['x-ratelimit-remaining-requests'] = String(state.remainingRequests);
  if (state.resetRequestsMs !== undefined) out['x-ratelimit-reset-requests'] = formatDuration(state.resetRequestsMs);
  if (state.limitTokens !== undefined) out['x-ratelimit-limit-tokens'] = String(state.limitTokens);
  if (state.remainingTokens !== undefined) out['x-ratelimit-remaining-tokens'] = String(state.remainingTokens);
  if (state.resetTokensMs !== undefined) out['x-ratelimit-reset-tokens'] = formatDuration(state.resetTokensMs);
  if (state.retryAfterMs !== undefined) {
    out['retry-after'] = String(Math.ceil(state.retryAfterMs / 1000));
    out['retry-after-ms'] = String(Math.round(state.retryAfterMs));
  }
  return out;
}
