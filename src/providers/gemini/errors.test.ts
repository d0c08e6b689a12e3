import { upstreamCall } from '../../testing/upstream-call';
import { geminiAdapter } from './index';

const provider = upstreamCall({ api: 'gemini', model: 'g', name: 'gemini-prod' }).provider;
const body = (code: number, status: string, message: string, details: unknown[] = []) => JSON.stringify({ error: { code, message, status, details } });

describe('gemini error mapping', () => {
  it('maps RESOURCE_EXHAUSTED to a retryable 429 and reads RetryInfo.retryDelay', () => {
    const info = geminiAdapter.parseError(
      429,
      body(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota.', [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure' },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' },
      ]),
      {},
      provider,
    );
    expect(info).toMatchObject({ status: 429, type: 'rate_limit_error', retryable: true, retryAfterMs: 37000 });
  });

  it('prefers a retry-after header over RetryInfo', () => {
    expect(geminiAdapter.parseError(429, body(429, 'RESOURCE_EXHAUSTED', 'quota'), { 'retry-after': '2' }, provider).retryAfterMs).toBe(2000);
  });

  it('maps an input-token-count error to 400 context_length_exceeded', () => {
    expect(
      geminiAdapter.parseError(
        400,
        body(400, 'INVALID_ARGUMENT', 'The input token count (1201000) exceeds the maximum number of tokens allowed (1048576).'),
        {},
        provider,
      ),
    ).toMatchObject({ status: 400, code: 'context_length_exceeded', retryable: false });
  });

  it.each([
    [
      400,
      'INVALID_ARGUMENT',
      'API key not valid. Please pass a valid API key.',
      [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
    ],
    [403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers.", []],
    [401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.', []],
  ])('turns %s %s into the gateway 502 naming the provider', (status, googleStatus, message, details) => {
    const info = geminiAdapter.parseError(status, body(status, googleStatus, message, details), {}, provider);
    expect(info).toMatchObject({ status: 502, credentialProblem: true, retryable: true });
    expect(info.message).toContain('gemini-prod');
  });

  it('maps UNAVAILABLE to a retryable 503, INTERNAL to 502 and DEADLINE_EXCEEDED to 504', () => {
    expect(geminiAdapter.parseError(503, body(503, 'UNAVAILABLE', 'The model is overloaded.'), {}, provider)).toMatchObject({ status: 503, retryable: true });
    expect(geminiAdapter.parseError(500, body(500, 'INTERNAL', 'An internal error has occurred.'), {}, provider)).toMatchObject({
      status: 502,
      retryable: true,
    });
    expect(geminiAdapter.parseError(504, body(504, 'DEADLINE_EXCEEDED', 'Deadline exceeded.'), {}, provider)).toMatchObject({ status: 504, retryable: true });
  });

  it('keeps an ordinary invalid argument as a non-retryable 400 and an unknown model as 404', () => {
    expect(geminiAdapter.parseError(400, body(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unknown name "foo"'), {}, provider)).toMatchObject({
      status: 400,
      retryable: false,
    });
    expect(geminiAdapter.parseError(404, body(404, 'NOT_FOUND', 'models/gemini-9 is not found for API version v1beta'), {}, provider)).toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  it('reads errors sent as a one-element array', () => {
    expect(geminiAdapter.parseError(429, `[${body(429, 'RESOURCE_EXHAUSTED', 'quota')}]`, {}, provider)).toMatchObject({ status: 429, message: 'quota' });
  });
});
