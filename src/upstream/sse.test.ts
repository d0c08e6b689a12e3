import { UpstreamFailure } from './http-spec';
import { MAX_SSE_EVENT_CHARS, SseParser } from './sse';

/** Every way servers end lines and events, comments, multi-line data, other fields and multi-byte characters. */
const SAMPLE =
  ': keep-alive\n\n' +
  'data: {"a":1}\n\n' +
  'event: message_start\r\ndata: {"b":"é"}\r\n\r\n' +
  'data: line one\ndata: line two\n\n' +
  'data: cr only\r\r' +
  'id: 7\ndata:no space 🚀\n\n' +
  'data: mixed\r\n\n' +
  'event: ping\n\n' +
  'data: [DONE]\n\n';

const EXPECTED = [
  { event: undefined, data: '{"a":1}', id: undefined },
  { event: 'message_start', data: '{"b":"é"}', id: undefined },
  { event: undefined, data: 'line one\nline two', id: undefined },
  { event: undefined, data: 'cr only', id: undefined },
  { event: undefined, data: 'no space 🚀', id: '7' },
  { event: undefined, data: 'mixed', id: undefined },
  { event: 'ping', data: '', id: undefined },
  { event: undefined, data: '[DONE]', id: undefined },
];

function parseAll(pieces: (Uint8Array | string)[]) {
  const parser = new SseParser();
  const events = pieces.flatMap((p) => parser.push(p));
  return [...events, ...parser.flush()];
}

function tooLargeError(fn: () => void): UpstreamFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof UpstreamFailure) return err;
    throw err;
  }
  throw new Error('expected upstream_event_too_large');
}

describe('SSE parser', () => {
  const bytes = Buffer.from(SAMPLE, 'utf8');

  test('reads every event of a sample stream fed whole', () => {
    expect(parseAll([bytes])).toEqual(EXPECTED);
  });

  test('reads the same events whichever byte the stream is split at (line ends and UTF-8 characters cut in two)', () => {
    for (let at = 0; at <= bytes.length; at++) {
      expect({ at, events: parseAll([bytes.subarray(0, at), bytes.subarray(at)]) }).toEqual({ at, events: EXPECTED });
    }
  });

  test('reads the same events fed one byte at a time, and split in three at every pair of points', () => {
    expect(parseAll([...bytes].map((b) => Uint8Array.of(b)))).toEqual(EXPECTED);
    for (let a = 0; a <= bytes.length; a += 3) {
      for (let b = a; b <= bytes.length; b += 5) expect(parseAll([bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)])).toEqual(EXPECTED);
    }
  });

  test('a last event without its blank line is returned by flush', () => {
    const parser = new SseParser();
    expect(parser.push('data: a\n\ndata: b')).toEqual([{ event: undefined, data: 'a', id: undefined }]);
    expect(parser.flush()).toEqual([{ event: undefined, data: 'b', id: undefined }]);
  });

  test('an event past the cap fails with upstream_event_too_large at the piece that crosses it, not before', () => {
    const parser = new SseParser();
    const piece = 'x'.repeat(64 * 1024);
    parser.push('data: ');
    let fed = 6;
    while (fed + piece.length <= MAX_SSE_EVENT_CHARS) {
      expect(parser.push(piece)).toEqual([]);
      fed += piece.length;
    }
    const err = tooLargeError(() => parser.push(piece));
    expect(err.info).toMatchObject({ status: 502, type: 'upstream_error', code: 'upstream_event_too_large' });
  });

  test('a long event made of many lines hits the same cap', () => {
    const parser = new SseParser();
    const lines = 'data: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n'.repeat(1000);
    const err = tooLargeError(() => {
      for (let fed = 0; fed <= MAX_SSE_EVENT_CHARS; fed += lines.length) parser.push(lines);
    });
    expect(err.info.code).toBe('upstream_event_too_large');
  });

  test('an event just under the cap still parses', () => {
    const parser = new SseParser();
    const body = 'z'.repeat(MAX_SSE_EVENT_CHARS - 'data: \n\n'.length);
    expect(parser.push(`data: ${body}\n\n`)).toEqual([{ event: undefined, data: body, id: undefined }]);
  });

  test('is linear: a long event in small pieces is scanned about once, not once per piece', () => {
    const parser = new SseParser();
    const piece = 'x'.repeat(1024);
    const pieces = 1024; // a 1 MiB event; a parser rescanning its buffer on every piece would examine ~0.5 G characters
    parser.push('data: ');
    for (let i = 0; i < pieces; i++) parser.push(piece);
    const events = parser.push('\n\n');
    expect(events[0].data).toHaveLength(pieces * piece.length);
    expect(parser.scanned).toBeLessThanOrEqual(2 * (6 + pieces * piece.length + 2));
  });

  test('is linear in pieces holding many lines too', () => {
    const parser = new SseParser();
    const piece = 'data: {"choices":[]}\n\n'.repeat(2000);
    let count = 0;
    for (let i = 0; i < 50; i++) count += parser.push(piece).length;
    expect(count).toBe(100_000);
    expect(parser.scanned).toBeLessThanOrEqual(2 * 50 * piece.length);
  });
});
