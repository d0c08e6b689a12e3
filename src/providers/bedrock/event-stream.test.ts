import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { UpstreamFailure } from '../../upstream/http-spec';
import { BedrockEventStreamDecoder } from './event-stream';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const frame = (headers: Record<string, string>, body: unknown) =>
  Buffer.from(
    codec.encode({
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, { type: 'string' as const, value: v }])),
      body: fromUtf8(JSON.stringify(body)),
    }),
  );
const event = (type: string, body: unknown) => frame({ ':message-type': 'event', ':event-type': type, ':content-type': 'application/json' }, body);

describe('BedrockEventStreamDecoder', () => {
  test('frames split across pieces and several frames in one piece come out whole and in order', () => {
    const bytes = Buffer.concat([event('messageStart', { role: 'assistant' }), event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } })]);
    const decoder = new BedrockEventStreamDecoder('Bedrock');
    const out = [...decoder.push(bytes.subarray(0, 3)), ...decoder.push(bytes.subarray(3, 40)), ...decoder.push(bytes.subarray(40))];
    expect(out).toEqual([
      { event: 'messageStart', data: '{"role":"assistant"}' },
      { event: 'contentBlockDelta', data: '{"contentBlockIndex":0,"delta":{"text":"Hi"}}' },
    ]);
    expect(decoder.flush()).toEqual([]);
  });

  test('an exception frame becomes an exception event carrying its name', () => {
    const decoder = new BedrockEventStreamDecoder('Bedrock');
    const [ev] = decoder.push(frame({ ':message-type': 'exception', ':exception-type': 'throttlingException' }, { message: 'slow down' }));
    expect(ev.event).toBe('exception');
    expect(JSON.parse(ev.data)).toEqual({ message: 'slow down', __type: 'throttlingException' });
  });

  test('a corrupted frame fails the stream instead of yielding garbage', () => {
    const bytes = event('messageStart', { role: 'assistant' });
    bytes[bytes.length - 6] ^= 0xff; // inside the payload: the message CRC no longer matches
    expect(() => new BedrockEventStreamDecoder('Bedrock').push(bytes)).toThrow(UpstreamFailure);
  });

  test('a stream that ends inside a frame is reported at flush', () => {
    const decoder = new BedrockEventStreamDecoder('Bedrock');
    decoder.push(event('messageStart', { role: 'assistant' }).subarray(0, 10));
    expect(() => decoder.flush()).toThrow(/unfinished frame/);
  });
});
