import { anthropicAdapter } from './index';
import { upstreamCall } from '../../testing/upstream-call';

const provider = upstreamCall({ api: 'anthropic', model: 'm', name: 'claude-prod' }).provider;
const body = (type: string, message: string) => JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_011' });

describe('anthropic error mapping', () => {
  it('maps 529 overloaded_error to a retryable 503', () => {
    expect(anthropicAdapter.parseError(529, body('overloaded_error', 'Overloaded'), {}, provider)).toMatchObject({
      status: 503,
      type: 'service_unavailable',
      retryable: true,
      message: 'Overloaded',
    });
  });

  it('maps a 429 to a retryable 429 and reads retry-after', () => {
    expect(
      anthropicAdapter.parseError(
        429,
        body('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'),
        { 'retry-after': '7' },
        provider,
      ),
    ).toMatchObject({ status: 429, type: 'rate_limit_error', retryable: true, retryAfterMs: 7000 });
  });

  it('reads the wait from anthropic-ratelimit-* reset timestamps when retry-after is missing', () => {
    // A fixed clock: the wait is exact, whatever the machine's speed.
    jest.useFakeTimers({ now: Date.parse('2026-12-01T12:00:00.000Z') });
    try {
      const info = anthropicAdapter.parseError(
        429,
        body('rate_limit_error', 'slow down'),
        {
          'anthropic-ratelimit-requests-remaining': '0',
          'anthropic-ratelimit-requests-reset': '2026-12-01T12:00:20.000Z',
        },
        provider,
      );
      expect(info.retryAfterMs).toBe(20_000);
    } finally {
      jest.useRealTimers();
    }
  });

  it('maps "prompt is too long" to 400 context_length_exceeded so context-window fallbacks fire', () => {
    expect(anthropicAdapter.parseError(400, body('invalid_request_error', 'prompt is too long: 210443 tokens > 200000 maximum'), {}, provider)).toEqual({
      status: 400,
      type: 'invalid_request_error',
      code: 'context_length_exceeded',
      message: 'prompt is too long: 210443 tokens > 200000 maximum',
      retryable: false,
    });
  });

  it('keeps other 400s as non-retryable invalid requests', () => {
    expect(anthropicAdapter.parseError(400, body('invalid_request_error', 'max_tokens: Field required'), {}, provider)).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      retryable: false,
      message: 'max_tokens: Field required',
    });
  });

  it.each([
    [401, 'authentication_error', 'invalid x-api-key'],
    [403, 'permission_error', 'Your API key does not have permission to use the specified resource.'],
    [400, 'billing_error', 'Your credit balance is too low'],
  ])('turns upstream %s %s into the gateway 502 naming the provider', (status, type, message) => {
    const info = anthropicAdapter.parseError(status, body(type, message), {}, provider);
    expect(info).toMatchObject({ status: 502, type: 'upstream_error', credentialProblem: true, retryable: true });
    expect(info.message).toContain('claude-prod');
    expect(info.message).toContain('Anthropic');
  });

  it('maps 500 api_error to a retryable 502 and a 404 model to a retryable model_not_found', () => {
    expect(anthropicAdapter.parseError(500, body('api_error', 'Internal server error'), {}, provider)).toMatchObject({ status: 502, retryable: true });
    expect(anthropicAdapter.parseError(404, body('not_found_error', 'model: claude-9'), {}, provider)).toMatchObject({
      status: 404,
      code: 'model_not_found',
      retryable: true,
    });
  });

  it('keeps a text excerpt when the error body is not JSON', () => {
    expect(anthropicAdapter.parseError(502, '<html>Bad gateway</html>', {}, provider)).toMatchObject({ status: 502, retryable: true });
  });
});
