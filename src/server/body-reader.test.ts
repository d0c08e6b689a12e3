import { errors } from '../errors';
import { DEFAULT_MAX_JSON_NODES, jsonLimitPassed, MAX_JSON_DEPTH, parseJsonBytes } from './body-reader';

const deep = (n: number) => Buffer.from('['.repeat(n) + ']'.repeat(n));

const jsonNestsDeeperThan = (bytes: Buffer, max: number) => jsonLimitPassed(bytes, max, Infinity) === 'depth';

describe('jsonLimitPassed', () => {
  it('finds exactly the nesting of the value', () => {
    expect(jsonNestsDeeperThan(deep(3), 3)).toBe(false);
    expect(jsonNestsDeeperThan(deep(4), 3)).toBe(true);
    expect(jsonNestsDeeperThan(Buffer.from('{"a":[{"b":[1]}],"c":{}}'), 4)).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from('{"a":[{"b":[1]}],"c":{}}'), 3)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes and backslashes included', () => {
    const tricky = ['"[[[[["', '"\\"[[[["', '"\\\\"', `"${'x'.repeat(100)}\\"[[[[${'y'.repeat(100)}"`, '"[[\\\\\\"[["'];
    for (const s of tricky) {
      expect(JSON.parse(s)).toEqual(expect.any(String));
      expect(jsonNestsDeeperThan(Buffer.from(`[${s}]`), 1)).toBe(false);
    }
    // A string that ends in an escaped backslash is over: the brackets after it count.
    expect(jsonNestsDeeperThan(Buffer.from('["\\\\",[[]]]'), 2)).toBe(true);
  });

  it('counts exactly the objects, arrays and object keys of the value, not colons or brackets in strings', () => {
    const body = '{"model":"chat","messages":[{"role":"user","content":"a: [b] {c}"},{"role":"assistant","content":[]}]}';
    // 1 root + 1 messages array + 2 message objects + 1 content array = 5 containers; 2 + 2 + 2 keys = 6 keys.
    expect(jsonLimitPassed(Buffer.from(body), 128, 11)).toBeUndefined();
    expect(jsonLimitPassed(Buffer.from(body), 128, 10)).toBe('nodes');
    expect(jsonLimitPassed(Buffer.from('[1,2,3,"x","y",true,null]'), 128, 1)).toBeUndefined();
  });
});

describe('parseJsonBytes', () => {
  it('parses a body and refuses deep, broken and non-UTF-8 ones with their own codes', () => {
    expect(parseJsonBytes(Buffer.from('{"model":"chat"}'))).toEqual({ model: 'chat' });
    const codeOf = (raw: Buffer) => {
      try {
        parseJsonBytes(raw);
      } catch (err) {
        return (err as ReturnType<typeof errors.badRequest>).code;
      }
      return 'parsed';
    };
    expect(codeOf(deep(MAX_JSON_DEPTH + 1))).toBe('json_too_deep');
    expect(codeOf(deep(MAX_JSON_DEPTH))).toBe('parsed');
    expect(codeOf(Buffer.from('{"model":'))).toBe('invalid_json');
    expect(codeOf(Buffer.from([0x22, 0xff, 0x22]))).toBe('invalid_utf8');
  });

  it('refuses a body with more nodes than the limit with a 413, and admits the largest real requests at the default', () => {
    const wide = (n: number) => Buffer.from(JSON.stringify({ model: 'chat', messages: Array.from({ length: n }, () => ({ role: 'user', content: 'x' })) }));
    // n messages: root, messages array, n objects; model, messages and 2n keys: 3n + 4 nodes.
    expect(() => parseJsonBytes(wide(10), 34)).not.toThrow();
    expect(() => parseJsonBytes(wide(10), 33)).toThrow(expect.objectContaining({ status: 413, code: 'json_too_many_nodes' }));
    expect(() => parseJsonBytes(wide(DEFAULT_MAX_JSON_NODES))).toThrow(expect.objectContaining({ status: 413, code: 'json_too_many_nodes' }));
    const embeddings = { model: 'embed', input: Array.from({ length: 2048 }, () => Array.from({ length: 512 }, (_, i) => i)) };
    const tool = {
      type: 'function',
      function: {
        name: 'f',
        parameters: { type: 'object', properties: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`p${i}`, { type: 'string', description: 'd' }])) },
      },
    };
    const history = Array.from({ length: 2000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: 'hi' }] }));
    const chat = { model: 'chat', messages: history, tools: Array.from({ length: 128 }, () => tool) };
    for (const body of [embeddings, chat]) expect(parseJsonBytes(Buffer.from(JSON.stringify(body)), DEFAULT_MAX_JSON_NODES)).toEqual(body);
  });
});
