import { registerSecrets } from '../observability/redact';
import type { UpstreamErrorInfo } from '../upstream/http-spec';
import { AttemptFailure, attemptFailures, isLocalRefusal, isTimeoutKind, isTransient, type CalledFailureKind } from './attempt-failure';

const info = (status: number, extra: Partial<UpstreamErrorInfo> = {}): UpstreamErrorInfo => ({
  status,
  type: 'upstream_error',
  code: null,
  message: 'x',
  retryable: true,
  ...extra,
});

describe('isTransient', () => {
  test.each([408, 429, 500, 502, 503, 504, 529])('an HTTP %i answer is worth retrying on the same target', (status) => {
    expect(isTransient(new AttemptFailure('status', info(status), status))).toBe(true);
  });

  test.each([400, 404, 413, 422])('an HTTP %i answer is not', (status) => {
    expect(isTransient(new AttemptFailure('status', info(status, { retryable: status === 404 }), status))).toBe(false);
  });

  test.each<CalledFailureKind>(['network', 'connect_timeout', 'first_byte_timeout', 'idle_timeout', 'attempt_timeout'])(
    'a %s is, whatever its normalised status',
    (kind) => {
      expect(isTransient(attemptFailures.transport('p', kind, 'why'))).toBe(true);
      expect(isTransient(new AttemptFailure(kind, info(400, { retryable: false })))).toBe(true);
    },
  );

  test('rejected credentials and a caller that gave up are not retried', () => {
    expect(isTransient(new AttemptFailure('status', info(502, { credentialProblem: true }), 401))).toBe(false);
    expect(isTransient(attemptFailures.transport('p', 'client_abort', 'client disconnected'))).toBe(false);
  });

  test('an error inside a stream is judged by what it normalises to, not by the 200 the stream started with', () => {
    expect(isTransient(new AttemptFailure('stream_error', info(429), 200))).toBe(true);
    expect(isTransient(new AttemptFailure('stream_error', info(400, { retryable: false }), 200))).toBe(false);
    expect(isTransient(attemptFailures.streamCut('p'))).toBe(true);
  });

  test('a target that cannot serve the endpoint is not retried, though another target may serve it', () => {
    const refused = attemptFailures.unsupportedEndpoint('p', 'anthropic', 'embeddings');
    expect(isTransient(refused)).toBe(false);
    expect(refused.info.retryable).toBe(true);
    expect(refused.upstreamStatus).toBeUndefined();
  });

  test("the gateway's own refusals (a full pool, an answer over the memory limits) fail over without a retry or a verdict on the target", () => {
    for (const code of ['upstream_queue_full', 'upstream_queue_timeout', 'upstream_answer_too_large', 'upstream_buffer_full']) {
      const local = new AttemptFailure('refused', info(503, { code }));
      expect(isLocalRefusal(local)).toBe(true);
      expect(isTransient(local)).toBe(false);
      expect(local.info.retryable).toBe(true);
    }
    expect(isLocalRefusal(new AttemptFailure('status', info(503, { code: 'overloaded' }), 503))).toBe(false);
  });
});

describe('AttemptFailure', () => {
  test('timeouts are the *_timeout kinds; a caller giving up is its own kind', () => {
    expect(attemptFailures.transport('p', 'first_byte_timeout', 'first byte timeout')).toMatchObject({
      timedOut: true,
      clientAborted: false,
      info: { status: 504, code: 'upstream_timeout' },
    });
    expect(attemptFailures.transport('p', 'network', 'connection refused')).toMatchObject({
      timedOut: false,
      info: { status: 502, code: 'upstream_unreachable', message: 'p: connection refused' },
    });
    expect(attemptFailures.transport('p', 'client_abort', 'client disconnected')).toMatchObject({ clientAborted: true, info: { retryable: false } });
    expect(isTimeoutKind('attempt_timeout')).toBe(true);
    expect(isTimeoutKind('status')).toBe(false);
    expect(isTimeoutKind(undefined)).toBe(false);
  });

  test("a stream's missing first chunk is a first-byte timeout after a 200", () => {
    const late = attemptFailures.firstChunkTimeout('p', 2000);
    expect(late).toMatchObject({ kind: 'first_byte_timeout', upstreamStatus: 200, timedOut: true });
  });

  test('takes every configured key out of the message, code and type it carries', () => {
    const key = 'unit-test-key-without-shape-4711';
    registerSecrets([key]);
    const f = new AttemptFailure('stream_error', info(500, { message: `quota exceeded for key ${key}`, code: key, type: `${key}_error` }), 200);
    expect(f.message).toBe('quota exceeded for key [REDACTED]');
    expect(f.info).toMatchObject({ message: 'quota exceeded for key [REDACTED]', code: '[REDACTED]', type: '[REDACTED]_error' });
    expect(JSON.stringify(f.info)).not.toContain(key);
  });
});
