import { GatewayError } from '../errors';
import { checkStreamChunk, completionToChunks, KeptTextBudget, MAX_STREAM_TOOL_CALLS, StreamAssembler } from './chunk-assembly';
import { OpenAIStreamTranslator } from './openai';
import type { ChatCompletionChunk } from './openai-types';

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk' as const, created: 1, model: 'm' };

/** A chunk as an upstream's JSON would produce it, with whatever tool-call index the upstream chose. */
function toolChunk(index: unknown, args = '{}'): ChatCompletionChunk {
  return JSON.parse(
    JSON.stringify({
      ...base,
      choices: [
        { index: 0, delta: { tool_calls: [{ index, id: 'call_1', type: 'function', function: { name: 'f', arguments: args } }] }, finish_reason: null },
      ],
    }),
  ) as ChatCompletionChunk;
}

function refusal(fn: () => void): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected the chunk to be refused');
}

afterEach(() => {
  // Nothing a test fed in may have reached a prototype.
  expect(({} as { id?: unknown }).id).toBeUndefined();
  expect(([] as unknown as { id?: unknown }).id).toBeUndefined();
});

describe('stream assembler', () => {
  test('rebuilds text, tool calls, finish reason and usage from chunks', () => {
    const a = new StreamAssembler();
    a.add({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] });
    a.add({ ...base, choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] });
    a.add({
      ...base,
      choices: [{ index: 0, delta: { tool_calls: [{ index: 1, id: 'b', function: { name: 'g', arguments: '{"y"' } }] }, finish_reason: null }],
    });
    a.add({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: '{}' } }] }, finish_reason: null }] });
    a.add({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: ':1}' } }] }, finish_reason: 'tool_calls' }] });
    a.add({ ...base, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } });
    const { completion, truncated } = a.result();
    expect(truncated).toBe(false);
    expect(completion.choices[0].message.content).toBe('Hello');
    expect(completion.choices[0].message.tool_calls).toEqual([
      { id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } },
      { id: 'b', type: 'function', function: { name: 'g', arguments: '{"y":1}' } },
    ]);
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion.usage?.total_tokens).toBe(3);
  });

  test.each([
    ['a huge index', 4294967294],
    ['the largest index past the cap', MAX_STREAM_TOOL_CALLS],
    ['a negative index', -1],
    ['a fractional index', 1.5],
    ['a numeric string', '0'],
    ['"__proto__"', '__proto__'],
    ['"constructor"', 'constructor'],
    ['null', null],
    ['no index at all', undefined],
  ])('refuses a tool call with %s as a 502 bad_upstream_stream, keeping nothing of it', (_name, index) => {
    const a = new StreamAssembler();
    const err = refusal(() => a.add(toolChunk(index)));
    expect(err).toMatchObject({ status: 502, type: 'upstream_error', code: 'bad_upstream_stream' });
    expect(a.result().completion.choices).toEqual([]);
  });

  test('the __proto__ index that used to set Array.prototype.id is refused and pollutes nothing', () => {
    const chunk = JSON.parse(
      `{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":"__proto__","id":"polluted","function":{"name":"f","arguments":""}}]},"finish_reason":null}]}`,
    ) as ChatCompletionChunk;
    expect(() => new StreamAssembler().add(chunk)).toThrow(GatewayError);
    expect(([] as unknown as { id?: unknown }).id).toBeUndefined();
  });

  test.each([
    ['a huge choice index', { ...base, choices: [{ index: 2 ** 31, delta: { content: 'x' }, finish_reason: null }] }],
    ['a choice that is not an object', { ...base, choices: [null] }],
    ['tool_calls that are not an array', { ...base, choices: [{ index: 0, delta: { tool_calls: { index: 0 } }, finish_reason: null }] }],
    ['a tool call that is not an object', { ...base, choices: [{ index: 0, delta: { tool_calls: [7] }, finish_reason: null }] }],
  ])('refuses %s', (_name, chunk) => {
    expect(refusal(() => new StreamAssembler().add(chunk as unknown as ChatCompletionChunk)).code).toBe('bad_upstream_stream');
  });

  test('the OpenAI translator refuses a hostile index itself, so the gateway can still fail over before the first byte', () => {
    const t = new OpenAIStreamTranslator('up');
    expect(refusal(() => t.push({ data: JSON.stringify(toolChunk(4294967294)) })).code).toBe('bad_upstream_stream');
    expect(t.push({ data: JSON.stringify(toolChunk(3)) })).toHaveLength(1);
  });

  test('keeps text only up to its cap and says the answer was truncated; usage and finish reason still arrive', () => {
    const a = new StreamAssembler(10);
    a.add({ ...base, choices: [{ index: 0, delta: { content: '12345678' }, finish_reason: null }] });
    expect(a.truncated).toBe(false);
    a.add({ ...base, choices: [{ index: 0, delta: { content: 'abcdef' }, finish_reason: null }] });
    a.add(toolChunk(0, 'more text past the cap'));
    for (let i = 0; i < 1000; i++) a.add({ ...base, choices: [{ index: 0, delta: { content: 'endless' }, finish_reason: null }] });
    a.add({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1001, total_tokens: 1002 } });
    const { completion, truncated } = a.result();
    expect(truncated).toBe(true);
    expect(completion.choices[0].message.content).toBe('12345678ab');
    expect(completion.choices[0].message.tool_calls?.[0].function.arguments).toBe('');
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBe(1001);
  });

  test('streams draw on one process-wide budget: once it is spent the next keeps nothing, and release gives it back', () => {
    const budget = new KeptTextBudget();
    const text = (t: string): ChatCompletionChunk => ({ ...base, choices: [{ index: 0, delta: { content: t }, finish_reason: null }] });
    const first = new StreamAssembler(100, { budget, limit: 12 });
    const second = new StreamAssembler(100, { budget, limit: 12 });
    first.add(text('0123456789'));
    second.add(text('abcdef'));
    expect(budget.inUse).toBe(12);
    expect(first.truncated).toBe(false);
    expect(second.truncated).toBe(true);
    expect(second.result().completion.choices[0].message.content).toBe('ab');
    first.release();
    second.release();
    expect(budget.inUse).toBe(0);
    const third = new StreamAssembler(100, { budget, limit: 12 });
    third.add(text('0123456789ab'));
    expect(third.truncated).toBe(false);
    third.release();
    expect(budget.inUse).toBe(0);
  });

  test('an answer exactly at the cap is not truncated', () => {
    const a = new StreamAssembler(4);
    a.add({ ...base, choices: [{ index: 0, delta: { content: 'abcd' }, finish_reason: 'stop' }] });
    expect(a.result()).toMatchObject({ truncated: false, completion: { choices: [{ message: { content: 'abcd' } }] } });
  });

  test('checkStreamChunk accepts every chunk completionToChunks replays', () => {
    const a = new StreamAssembler();
    a.add(toolChunk(0));
    a.add({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] });
    for (const chunk of completionToChunks(a.result().completion, { includeUsage: true })) expect(() => checkStreamChunk(chunk)).not.toThrow();
  });
});

describe('StreamAssembler.relayed: what a cut stream is estimated from', () => {
  const base = { id: 'c', object: 'chat.completion.chunk' as const, created: 1, model: 'm' };
  it('keeps content, reasoning and tool names and arguments, and counts what it could not keep', () => {
    const a = new StreamAssembler(20);
    a.add({ ...base, choices: [{ index: 0, delta: { reasoning_content: 'think ' }, finish_reason: null }] });
    a.add({ ...base, choices: [{ index: 0, delta: { content: 'Hello ' }, finish_reason: null }] });
    a.add({
      ...base,
      choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', function: { name: 'f', arguments: '{"a":1}' } }] }, finish_reason: null }],
    });
    a.add({ ...base, choices: [{ index: 0, delta: { content: 'past the cap' }, finish_reason: null }] });
    const relayed = a.relayed();
    expect(relayed.reasoningText).toBe('think ');
    expect(relayed.text.length + relayed.uncountedChars).toBe('think '.length + 'Hello '.length + 'f'.length + '{"a":1}'.length + 'past the cap'.length);
    expect(relayed.uncountedChars).toBeGreaterThan(0);
    // The reasoning is not part of the assembled answer.
    expect(a.result().completion.choices[0].message.content).not.toContain('think');
  });
});
