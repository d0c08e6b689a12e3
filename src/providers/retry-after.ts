/**
 * Reads how long an upstream asked us to wait, from whichever header it used: `retry-after-ms`, `retry-after`
 * (seconds or an HTTP date), or OpenAI's `x-ratelimit-reset-requests` / `-tokens` durations ("1s", "6m0s", "20ms").
 */
import type { HeaderBag } from '../upstream/http-spec';

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Parses OpenAI-style durations such as "1s", "6m0s", "250ms", "1h2m3.5s" into milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = false;
  for (const m of text.matchAll(re)) {
    matched = true;
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
  }
  return matched ? Math.round(total) : undefined;
}

/**
 * @example retryAfterMs({ 'retry-after': '2' }) // 2000
 */
export function retryAfterMs(headers: HeaderBag, now: number = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = header(headers, 'retry-after');
  if (ra !== undefined) {
    if (/^\d+(\.\d+)?$/.test(ra.trim())) return Math.round(Number(ra) * 1000);
    const date = Date.parse(ra);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const resets = ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']
    .map((n) => header(headers, n))
    .filter((v): v is string => v !== undefined)
    .map(parseDurationMs)
    .filter((v): v is number => v !== undefined);
  return resets.length ? Math.max(...resets) : undefined;
}
