import { validateBody } from '../server/request-schemas';
import type { ChatRequest, EmbeddingsRequest } from '../providers/openai-types';
import { estimateChatPromptTokens, estimateEmbeddingsTokens, estimateRequestTokens } from './estimate-tokens';
import { seededRandom } from '../testing/fuzz-inputs';

// What JSON.parse can produce (1e999 parses to Infinity) plus what a plugin could put in a body by hand.
const ODD_NUMBERS = [0, -0, 1, -1, 0.5, 2 ** 53 + 1, 1e308, -1e308, Infinity, -Infinity, NaN, Number.MIN_VALUE, 4294967294];
const ODD_STRINGS = ['', 'x', '💥', 'a'.repeat(1000), '__proto__', 'constructor', 'text', 'image_url', 'NaN'];

function oddValue(rand: () => number, depth = 0): unknown {
  const r = rand();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  if (r < 0.15) return pick(ODD_NUMBERS);
  if (r < 0.3) return pick(ODD_STRINGS);
  if (r < 0.4) return pick([null, true, false, undefined]);
  if (depth > 3 || r < 0.7) {
    if (depth > 3) return pick(ODD_NUMBERS);
    return Array.from({ length: Math.floor(rand() * 4) }, () => oddValue(rand, depth + 1));
  }
  const obj: Record<string, unknown> = {};
  for (const key of ['type', 'text', 'content', 'length', 'name', 'tool_calls', 'image_url', '__proto__'].filter(() => rand() < 0.4)) {
    Object.defineProperty(obj, key, { value: oddValue(rand, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return obj;
}

function oddChat(rand: () => number): Record<string, unknown> {
  const body: Record<string, unknown> = { model: 'chat' };
  const messages =
    rand() < 0.2
      ? oddValue(rand)
      : Array.from({ length: 1 + Math.floor(rand() * 3) }, () =>
          rand() < 0.2
            ? oddValue(rand)
            : { role: 'user', content: oddValue(rand), name: oddValue(rand), tool_calls: rand() < 0.3 ? oddValue(rand) : undefined },
        );
  body.messages = messages;
  for (const field of ['max_tokens', 'max_completion_tokens', 'n', 'tools'])
    if (rand() < 0.5) body[field] = rand() < 0.5 ? ODD_NUMBERS[Math.floor(rand() * ODD_NUMBERS.length)] : oddValue(rand);
  return body;
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

describe('token estimates are finite, non-negative integers for any body', () => {
  const CASES = 5000;

  it(`${CASES} odd chat bodies, admitted by the schema or not, all estimate to a whole number of tokens`, () => {
    const rand = seededRandom(1411);
    let admitted = 0;
    for (let i = 0; i < CASES; i++) {
      const body = oddChat(rand);
      const prompt = estimateChatPromptTokens(body as unknown as ChatRequest);
      const total = estimateRequestTokens(body as unknown as ChatRequest, 256);
      if (!isCount(prompt) || !isCount(total)) throw new Error(`estimate ${prompt}/${total} for ${JSON.stringify(body)}`);
      try {
        validateBody('chat', body);
        admitted++;
      } catch {
        // Refused bodies never reach a plugin; they must not break the estimate all the same.
      }
    }
    expect(admitted).toBeGreaterThan(0);
  });

  it(`${CASES} odd embeddings inputs all estimate to a whole number of tokens`, () => {
    const rand = seededRandom(1412);
    for (let i = 0; i < CASES; i++) {
      const input = rand() < 0.7 ? Array.from({ length: Math.floor(rand() * 5) }, () => oddValue(rand)) : oddValue(rand);
      const tokens = estimateEmbeddingsTokens({ model: 'embed', input } as unknown as EmbeddingsRequest);
      if (!isCount(tokens)) throw new Error(`estimate ${tokens} for ${JSON.stringify(input)}`);
    }
  });

  it('the inputs from the issue count as tokens instead of NaN or a crash', () => {
    const embed = (input: unknown) => estimateEmbeddingsTokens({ model: 'embed', input } as unknown as EmbeddingsRequest);
    expect(embed([{}])).toBe(1);
    expect(embed([null])).toBe(1);
    expect(embed([[1, 2, 3], 'abcd'])).toBe(4);
    expect(estimateRequestTokens({ model: 'chat', messages: [], max_tokens: Infinity }, 256)).toBe(3 + 256);
    expect(estimateRequestTokens({ model: 'chat', messages: [], max_tokens: NaN }, 256)).toBe(3 + 256);
    expect(estimateRequestTokens({ model: 'chat', messages: [], max_tokens: -5 }, 256)).toBe(3 + 256);
  });

  it('counts the completion budget once per requested choice', () => {
    expect(estimateRequestTokens({ model: 'chat', messages: [], max_tokens: 100, n: 3 }, 256)).toBe(3 + 300);
  });
});
