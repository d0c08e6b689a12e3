/**
 * OpenAI-style rate-limit headers (`x-ratelimit-limit-requests`, `…-remaining-tokens`, `…-reset-requests`, …)
 * from bucket levels: each reports the tightest bucket of its kind.
 */
import type { BucketLevel } from '../../plugin-api';

/** Which quantity a bucket limits. */
export type BucketKind = 'requests' | 'tokens';

/**
 * A duration the way OpenAI writes it in x-ratelimit-reset-*: "20ms", "1.5s", "6m0s".
 *
 * @example formatResetDuration(90_500) // '1m30.5s'
 */
export function formatResetDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1000) return `${whole}ms`;
  const minutes = Math.floor(whole / 60_000);
  const seconds = Math.round((whole % 60_000) / 10) / 100;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/**
 * @example rateLimitHeaders([{ level, kind: 'requests' }]) // { 'x-ratelimit-limit-requests': '60', … }
 */
export function rateLimitHeaders(levels: readonly { level: BucketLevel; kind: BucketKind }[]): Record<string, string> {
  let requests: BucketLevel | undefined;
  let tokens: BucketLevel | undefined;
  for (const { level, kind } of levels) {
    if (kind === 'requests') {
      if (!requests || level.remaining < requests.remaining) requests = level;
    } else if (!tokens || level.remaining < tokens.remaining) tokens = level;
  }
  const headers: Record<string, string> = {};
  if (requests) setHeaders(headers, 'requests', requests);
  if (tokens) setHeaders(headers, 'tokens', tokens);
  return headers;
}

function setHeaders(headers: Record<string, string>, kind: BucketKind, tightest: BucketLevel): void {
  headers[`x-ratelimit-limit-${kind}`] = String(tightest.capacity);
  headers[`x-ratelimit-remaining-${kind}`] = String(Math.max(0, tightest.remaining));
  headers[`x-ratelimit-reset-${kind}`] = formatResetDuration(tightest.resetMs);
}
