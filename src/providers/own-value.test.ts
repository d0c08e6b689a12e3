import { toStopReason } from '../frontdoor/anthropic-response';
import { parseAnthropicStreamError } from './anthropic/errors';
import { toFinishReason as anthropicFinishReason } from './anthropic/response';
import { toFinishReason as geminiFinishReason } from './gemini/response';
import { toGeminiSchema, toImagePart } from './gemini/request';
import { GeminiStreamTranslator } from './gemini/stream';
import { GatewayError } from '../errors';
import { ownValue } from './own-value';

const prototypeKeys = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

describe('lookups and copies keyed by upstream or client data', () => {
  test("ownValue answers only a table's own entries", () => {
    expect(ownValue({ a: 1 }, 'a')).toBe(1);
    for (const key of prototypeKeys) expect(ownValue({ a: 1 }, key)).toBeUndefined();
  });

  test.each(prototypeKeys)('an upstream reason or error type %j maps to the default, never to an Object.prototype member', (key) => {
    expect(anthropicFinishReason(key)).toBe('stop');
    expect(geminiFinishReason(key, false)).toBe('stop');
    expect(toStopReason(key as never)).toBe('end_turn');
    expect(parseAnthropicStreamError({ type: key, message: 'm' }).status).toEqual(expect.any(Number));
    expect(toImagePart({ image_url: { url: `https://example.invalid/x.${key.toLowerCase().replace(/_/g, '')}` } })).toMatchObject({
      fileData: { mimeType: 'image/jpeg' },
    });
  });

  test('a client schema with a "__proto__" key does not replace the translated schema\'s prototype', () => {
    const schema = JSON.parse('{"type":"object","__proto__":{"polluted":true},"properties":{"a":{"type":"string","__proto__":{"polluted":true}}}}') as Record<
      string,
      unknown
    >;
    const out = toGeminiSchema(schema);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
    expect(((out.properties as Record<string, object>).a as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(out))).toEqual({ type: 'object', properties: { a: { type: 'string' } } });
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  test.each([4294967294, -1, 0.5, '__proto__'])('a Gemini candidate index %j is refused as a bad upstream stream', (index) => {
    const t = new GeminiStreamTranslator('Gemini', 'g');
    const event = { data: JSON.stringify({ candidates: [{ index, content: { role: 'model', parts: [{ text: 'x' }] } }] }) };
    expect(() => t.push(event)).toThrow(GatewayError);
  });
});
