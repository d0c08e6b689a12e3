/**
 * Fuzzing the front door's inbound half: thousands of malformed Messages requests (every field given every wrong
 * type, nulls inside arrays, garbage nested in content blocks) must each be accepted or refused with a 400
 * GatewayError in Anthropic's words, never throw anything else: anything else is a 500 for a client mistake.
 */
import { GatewayError } from '../errors';
import { estimateRequestTokens } from '../pricing/estimate-tokens';
import { validateBody } from '../server/request-schemas';
import { anthropicToChatRequest, validateAnthropicRequest } from './anthropic-request';
import { MESSAGES_REQUEST_FIELDS as FIELDS, seededRandom } from '../testing/fuzz-inputs';

const WRONG: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  0.5,
  1e308,
  Infinity,
  -Infinity,
  '',
  'x',
  'auto',
  '__proto__',
  [],
  [null],
  [[]],
  [{}],
  {},
  { type: null },
  { type: 'text' },
  { type: 'auto' },
  { __proto__: { type: 'text' } },
  [1, 'a', null],
];
const BLOCK_TYPES = [
  'text',
  'image',
  'tool_use',
  'tool_result',
  'thinking',
  'redacted_thinking',
  'document',
  'server_tool_use',
  '__proto__',
  'constructor',
  '',
  7,
];

function valid(): Record<string, unknown> {
  return { model: 'fast', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] };
}

function garbageBlock(rand: () => number, pick: <T>(items: readonly T[]) => T): unknown {
  if (rand() < 0.15) return pick(WRONG);
  const block: Record<string, unknown> = { type: pick(BLOCK_TYPES) };
  for (const key of ['text', 'source', 'id', 'name', 'input', 'tool_use_id', 'content', 'is_error', 'thinking', 'signature', 'data']) {
    if (rand() < 0.35)
      block[key] =
        key === 'content' && rand() < 0.5
          ? [garbageBlock(rand, pick)]
          : key === 'source' && rand() < 0.5
            ? { type: pick(['base64', 'url', 'file', null]), media_type: pick(WRONG), data: pick(WRONG), url: pick(WRONG) }
            : pick(WRONG);
  }
  return block;
}

function mutated(rand: () => number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  const r = rand();
  if (r < 0.05) return pick(WRONG);
  const body = valid();
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const field = pick(FIELDS);
    const m = rand();
    if (field === 'messages' && m < 0.6) {
      body.messages = [
        {
          role: pick(['user', 'assistant', 'system', null, 'tool']),
          content: rand() < 0.3 ? pick(WRONG) : Array.from({ length: 1 + Math.floor(rand() * 3) }, () => garbageBlock(rand, pick)),
        },
      ];
      if (rand() < 0.2) (body.messages as unknown[]).push(pick(WRONG));
    } else if (field === 'tools' && m < 0.5) {
      body.tools = [
        {
          name: pick(['t', ...WRONG]),
          input_schema: pick([{ type: 'object' }, ...WRONG]),
          type: pick([undefined, 'custom', null, 'web_search_20250305', 5]),
          description: pick(['d', ...WRONG]),
        },
      ];
    } else if (field === 'tool_choice' && m < 0.5) {
      body.tool_choice = {
        type: pick(['auto', 'any', 'tool', 'none', 'x', null]),
        name: pick(['t', ...WRONG]),
        disable_parallel_tool_use: pick([true, ...WRONG]),
      };
    } else if (field === 'system' && m < 0.4) {
      body.system = [pick([{ type: 'text', text: 'sys' }, ...WRONG])];
    } else if (field === 'metadata' && m < 0.4) {
      body.metadata = { user_id: pick(WRONG) };
    } else {
      body[field] = pick(WRONG);
    }
  }
  return body;
}

/** What the /v1/messages route does with a body before routing: validate, translate, then the chat schema. */
function frontDoor(body: unknown): 'accepted' | GatewayError {
  try {
    const chat = anthropicToChatRequest(validateAnthropicRequest(body));
    validateBody('chat', chat);
    const tokens = estimateRequestTokens(chat, 256);
    if (!Number.isSafeInteger(tokens) || tokens < 0) throw new Error(`estimate ${tokens}`);
    return 'accepted';
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw new Error(`${(err as Error).stack}\nfor ${JSON.stringify(body)}`, { cause: err });
  }
}

describe('front door fuzz: malformed Messages requests', () => {
  const CASES = 20_000;

  test(`${CASES} generated malformed requests are each accepted or refused with a 400, never anything else`, () => {
    const rand = seededRandom(20261201);
    const seen = { accepted: 0, refused: 0 };
    for (let i = 0; i < CASES; i++) {
      const out = frontDoor(mutated(rand));
      if (out === 'accepted') seen.accepted++;
      else {
        expect(out.status).toBe(400);
        expect(out.type).toBe('invalid_request_error');
        expect(out.message).not.toMatch(/undefined|\[object Object\]/);
        seen.refused++;
      }
    }
    expect(seen.accepted).toBeGreaterThan(100);
    expect(seen.refused).toBeGreaterThan(CASES / 2);
  });

  test('every field given every wrong type is refused or accepted cleanly', () => {
    for (const field of FIELDS) {
      for (const value of WRONG) frontDoor({ ...valid(), [field]: value });
    }
  });

  test.each([
    [{ system: {} }, 'system: Input should be a valid list'],
    [{ tool_choice: 'auto' }, 'tool_choice: Input should be a valid dictionary or object to extract fields from'],
    [{ messages: [{ role: 'user', content: [null] }] }, 'messages.0.content.0: Input should be a valid dictionary or object to extract fields from'],
    [{ tools: 'x' }, 'tools: Input should be a valid list'],
    [{ max_tokens: Infinity }, 'max_tokens: Input should be less than or equal to 1000000'],
    [{ messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages.0.content.0.text: Field required'],
    [
      { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', data: 'x' } }] }] },
      'messages.0.content.0.source.media_type: Field required',
    ],
    [{ tool_choice: { type: 'tool' } }, 'tool_choice.name: Field required'],
    [{ tool_choice: { type: 'sometimes' } }, "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'"],
    [{ messages: [{ role: 'user', content: 'x' }, null] }, 'messages.1: Input should be a valid dictionary or object to extract fields from'],
    [{ messages: [] }, 'messages: List should have at least 1 item after validation, not 0'],
    [{ temperature: 1.5 }, 'temperature: Input should be less than or equal to 1'],
  ])('%j is refused as Anthropic words it', (extra, message) => {
    const out = frontDoor({ ...valid(), ...extra });
    expect(out).toBeInstanceOf(GatewayError);
    expect((out as GatewayError).message).toBe(message);
  });
});

test('optional fields sent as null are accepted as absent, as Anthropic accepts them', () => {
  const nulls = {
    system: null,
    stop_sequences: null,
    stream: null,
    temperature: null,
    top_p: null,
    top_k: null,
    metadata: null,
    tools: null,
    tool_choice: null,
    thinking: null,
  };
  const out = anthropicToChatRequest(validateAnthropicRequest({ model: 'fast', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }], ...nulls }));
  expect(out).toEqual({ model: 'fast', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] });
});
