import { GatewayError } from '../errors';
import { MAX_OUTPUT_TOKENS, validateBody } from './request-schemas';

function refusal(kind: 'chat' | 'embeddings', body: unknown): GatewayError {
  try {
    validateBody(kind, body);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

const chat = (extra: Record<string, unknown>) => ({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('request schemas', () => {
  test('embeddings inputs of the wrong element type are a 400 naming input, not a 500 later', () => {
    for (const input of [[{}], [null], [true], ['a', 1], [[1, 'x']], [[]], 5, {}, null]) {
      const err = refusal('embeddings', { model: 'embed', input });
      expect(err.status).toBe(400);
      expect(err.type).toBe('invalid_request_error');
      expect(err.param).toMatch(/^input/);
    }
    expect(refusal('embeddings', { model: 'embed', input: [null] }).message).toContain("'input.0' is null");
  });

  test('embeddings accept what OpenAI accepts: a string, strings, token ids and token id arrays', () => {
    for (const input of ['text', ['a', 'b'], [1, 2, 3], [[1, 2], [3]], Array(2048).fill('x')])
      expect(() => validateBody('embeddings', { model: 'embed', input })).not.toThrow();
    expect(refusal('embeddings', { model: 'embed', input: Array(2049).fill('x') }).code).toBe('array_above_max_length');
    expect(refusal('embeddings', { model: 'embed', input: [[Infinity]] }).param).toBe('input.0.0');
  });

  test.each([
    ['max_tokens', Infinity],
    ['max_tokens', MAX_OUTPUT_TOKENS + 1],
    ['max_tokens', 0],
    ['max_completion_tokens', Infinity],
    ['max_completion_tokens', -Infinity],
    ['n', 129],
    ['n', Infinity],
    ['temperature', Infinity],
    ['temperature', -1],
    ['top_p', 1.5],
    ['presence_penalty', Infinity],
    ['frequency_penalty', -3],
    ['top_logprobs', 21],
    ['seed', Infinity],
    ['seed', 2 ** 60],
  ])('%s = %p is refused with a 400 naming it', (param, value) => {
    const err = refusal('chat', chat({ [param]: value }));
    expect(err.status).toBe(400);
    expect(err.param).toBe(param);
    expect(err.message).toContain(`'${param}'`);
  });

  test('the largest allowed values and null are accepted', () => {
    expect(() =>
      validateBody(
        'chat',
        chat({
          max_tokens: MAX_OUTPUT_TOKENS,
          max_completion_tokens: null,
          n: 128,
          temperature: 2,
          top_p: 1,
          seed: -5,
          top_logprobs: 20,
          logit_bias: { '50256': -100 },
        }),
      ),
    ).not.toThrow();
  });

  test('Infinity in logit_bias is refused; the message says what was expected and what came', () => {
    expect(refusal('chat', chat({ logit_bias: { 1: Infinity } })).param).toBe('logit_bias.1');
    const err = refusal('chat', chat({ max_tokens: 'ten' }));
    expect(err.message).toBe(`Invalid type for 'max_tokens': expected an integer from 1 to ${MAX_OUTPUT_TOKENS} or null, but got a string instead.`);
    expect(err.code).toBe('invalid_type');
  });
});
