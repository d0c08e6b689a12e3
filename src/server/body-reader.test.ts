import { errors } from '../errors';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH, parseJsonBytes } from './body-reader';

const deep = (n: number) => Buffer.from('['.repeat(n) + ']'.repeat(n));

describe('jsonNestsDeeperThan', () => {
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
});
