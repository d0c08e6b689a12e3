import { AttemptTimeout, FirstByteTimeout } from '../routing/attempt-signal';
import { describeTransportError } from './transport';

const here = { aborted: false };
const coded = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('describeTransportError', () => {
  test("the attempt's own deadlines are classified by the kind they carry, not by a borrowed error code", () => {
    expect(describeTransportError(new FirstByteTimeout(2000), here)).toEqual({
      kind: 'first_byte_timeout',
      timedOut: true,
      clientAborted: false,
      reason: 'first byte timeout',
    });
    expect(describeTransportError(new AttemptTimeout(30_000), here)).toMatchObject({ kind: 'attempt_timeout', timedOut: true });
    expect(new FirstByteTimeout(1)).not.toHaveProperty('code');
  });

  test.each([
    ['UND_ERR_HEADERS_TIMEOUT', 'first_byte_timeout', 'first byte timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'idle_timeout', 'upstream went silent mid-response'],
    ['UND_ERR_CONNECT_TIMEOUT', 'connect_timeout', 'connect timeout'],
    ['ECONNREFUSED', 'network', 'connection refused'],
    ['ECONNRESET', 'network', 'connection dropped'],
    ['UND_ERR_SOCKET', 'network', 'connection dropped'],
    ['ENOTFOUND', 'network', 'host not found'],
  ])("undici's and Node's %s is a %s (%s)", (code, kind, reason) => {
    expect(describeTransportError(coded(code), here)).toMatchObject({ kind, reason });
  });

  test('an oversized answer keeps the limit in its reason; an unknown error says what it was', () => {
    expect(describeTransportError(coded('UPSTREAM_RESPONSE_TOO_LARGE', 'response larger than 1024 bytes'), here)).toMatchObject({
      kind: 'too_large',
      timedOut: false,
      reason: 'response larger than 1024 bytes',
    });
    expect(describeTransportError(new Error('odd'), here)).toMatchObject({ kind: 'network', reason: 'network error: odd' });
    expect(describeTransportError(coded('constructor'), here)).toMatchObject({ kind: 'network', reason: 'network error: boom' });
    expect(describeTransportError(Object.assign(new Error('x'), { failureKind: 'toString' }), here)).toMatchObject({ kind: 'network' });
  });

  test('once the caller has gone, that is the whole story', () => {
    expect(describeTransportError(new FirstByteTimeout(2000), { aborted: true })).toMatchObject({
      kind: 'client_abort',
      clientAborted: true,
      timedOut: false,
      reason: 'client disconnected',
    });
  });
});
