import { readRateLimitHeadroom, readRateLimitHeaders, resetToMs, toOpenAIRateLimitHeaders, upstreamRetryAfterMs } from './rate-limit-headers';
import { OPENAI_RATE_LIMIT_HEADERS } from '../testing/fake-openai';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('rate-limit header normalisation', () => {
  it('reads OpenAI x-ratelimit-* headers', () => {
    expect(readRateLimitHeaders(OPENAI_RATE_LIMIT_HEADERS, NOW)).toMatchObject({
      limitRequests: 500,
      remainingRequests: 499,
      resetRequestsMs: 120,
      limitTokens: 30000,
      remainingTokens: 29000,
      resetTokensMs: 360000,
    });
  });

  it('reads Anthropic anthropic-ratelimit-* headers with RFC 3339 reset times', () => {
    expect(
      readRateLimitHeaders(
        {
          'anthropic-ratelimit-requests-limit': '50',
          'anthropic-ratelimit-requests-remaining': '0',
          'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:12Z',
          'anthropic-ratelimit-input-tokens-limit': '40000',
          'anthropic-ratelimit-input-tokens-remaining': '39000',
          'anthropic-ratelimit-input-tokens-reset': '2026-01-01T00:00:01Z',
        },
        NOW,
      ),
    ).toEqual({
      limitRequests: 50,
      remainingRequests: 0,
      resetRequestsMs: 12000,
      limitTokens: 40000,
      remainingTokens: 39000,
      resetTokensMs: 1000,
      retryAfterMs: 12000,
    });
  });

  it('prefers retry-after-ms, then retry-after seconds or date', () => {
    expect(upstreamRetryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' }, NOW)).toBe(250);
    expect(upstreamRetryAfterMs({ 'retry-after': '9' }, NOW)).toBe(9000);
    expect(upstreamRetryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, NOW)).toBe(30000);
    expect(upstreamRetryAfterMs({}, NOW)).toBeUndefined();
  });

  it('understands every reset spelling', () => {
    expect(resetToMs('1m30s', NOW)).toBe(90000);
    expect(resetToMs('2', NOW)).toBe(2000);
    expect(resetToMs('2026-01-01T00:00:02Z', NOW)).toBe(2000);
    expect(resetToMs('soon', NOW)).toBeUndefined();
  });

  it('writes the normalised state back as OpenAI-style headers', () => {
    expect(toOpenAIRateLimitHeaders({ limitRequests: 50, remainingRequests: 0, resetRequestsMs: 12000, resetTokensMs: 250, retryAfterMs: 12000 })).toEqual({
      'x-ratelimit-limit-requests': '50',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '12s',
      'x-ratelimit-reset-tokens': '250ms',
      'retry-after': '12',
      'retry-after-ms': '12000',
    });
  });
});

describe('rate-limit headroom, each budget on its own', () => {
  it('reads OpenAI-style requests and tokens budgets (Azure, Groq and most vendors use the same names)', () => {
    expect(readRateLimitHeadroom(OPENAI_RATE_LIMIT_HEADERS, NOW)).toEqual({
      requests: { limit: 500, remaining: 499, resetMs: 120 },
      tokens: { limit: 30000, remaining: 29000, resetMs: 360000 },
    });
  });

  it("keeps Anthropic's combined, input and output token budgets apart", () => {
    expect(
      readRateLimitHeadroom(
        {
          'anthropic-ratelimit-requests-limit': '50',
          'anthropic-ratelimit-requests-remaining': '0',
          'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:12Z',
          'anthropic-ratelimit-tokens-limit': '90000',
          'anthropic-ratelimit-tokens-remaining': '89000',
          'anthropic-ratelimit-input-tokens-limit': '40000',
          'anthropic-ratelimit-input-tokens-remaining': '39000',
          'anthropic-ratelimit-input-tokens-reset': '2026-01-01T00:00:01Z',
          'anthropic-ratelimit-output-tokens-limit': '8000',
          'anthropic-ratelimit-output-tokens-remaining': '7990',
        },
        NOW,
      ),
    ).toEqual({
      requests: { limit: 50, remaining: 0, resetMs: 12000 },
      tokens: { limit: 90000, remaining: 89000 },
      input_tokens: { limit: 40000, remaining: 39000, resetMs: 1000 },
      output_tokens: { limit: 8000, remaining: 7990 },
    });
  });

  it('is empty without rate-limit headers, and skips values that are not numbers', () => {
    expect(readRateLimitHeadroom({ 'content-type': 'application/json' }, NOW)).toEqual({});
    expect(readRateLimitHeadroom({ 'x-ratelimit-remaining-requests': 'lots', 'x-ratelimit-limit-requests': '10' }, NOW)).toEqual({ requests: { limit: 10 } });
  });
});
