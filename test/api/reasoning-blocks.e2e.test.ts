/**
 * Claude answers with several reasoning blocks (thinking blocks, and redacted_thinking ones when its reasoning was
 * flagged): each goes back to Claude whole, with its own signature, in order, through chat (`reasoning_blocks`),
 * `/v1/messages` (`@anthropic-ai/sdk`) and `/v1/responses` (one reasoning item per block), JSON and streamed,
 * against a fake Anthropic that refuses a tool-result turn whose thinking was joined, cut or changed. Claude may
 * also think again between tool calls (thinking, tool_use, thinking, tool_use) and wants each block back in its
 * place: chat says where (`reasoning_blocks[i].before_tool_call`), `/v1/messages` keeps it as sent, `/v1/responses`
 * puts the reasoning items between the function calls; the fake refuses the thinking moved.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { fakeThinkingSignature } from '../../src/testing/fake-anthropic';
import { gatewayWithBackends, standardConfig } from './backends';

const up = gatewayWithBackends(standardConfig);
let openai: OpenAI;
let anthropic: Anthropic;
beforeAll(() => {
  openai = new OpenAI({ baseURL: `${up.gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: up.gw.url, apiKey: 'client-key', maxRetries: 0 });
});

const FIRST = 'First I need the weather.';
const SECOND = 'Then I will convert it.';
/** Two thinking blocks around a redacted one, then a tool call. */
const answer = { thoughts: [FIRST, { redacted: true as const }, SECOND], toolUse: { name: 'get_weather', input: { city: 'Paris' } } };

type Block = Record<string, unknown>;
/** The assistant turn Claude was sent back in call `n`. */
const sentBack = (n: number) => (up.anthropic.calls[n].body!.messages as { role: string; content: Block[] }[]).find((m) => m.role === 'assistant')!.content;
const reasoningOnly = (blocks: Block[]) => blocks.filter((b) => b.type === 'thinking' || b.type === 'redacted_thinking');
/** What Claude gave in call `n`, as it must come back. */
const expectedBlocks = (blocks: Block[]) => {
  expect(blocks.map((b) => b.type)).toEqual(['thinking', 'redacted_thinking', 'thinking']);
  expect(blocks[0]).toEqual({ type: 'thinking', thinking: FIRST, signature: fakeThinkingSignature(FIRST) });
  expect(blocks[1]).toEqual({ type: 'redacted_thinking', data: expect.stringMatching(/^EmwK/) });
  expect(blocks[2]).toEqual({ type: 'thinking', thinking: SECOND, signature: fakeThinkingSignature(SECOND) });
};

const weather: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

/** The first turn of the tool loop: Claude thinks and calls get_weather. */
const askWeather = () =>
  openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Weather?' }], tools: [weather], reasoning_effort: 'low' });
/** The next turn: the assistant message as the client sends it back, and the tool's result. */
const answerWeather = (assistant: unknown, callId: string) =>
  openai.chat.completions.create({
    model: 'claude',
    messages: [{ role: 'user', content: 'Weather?' }, assistant as never, { role: 'tool', tool_call_id: callId, content: '18C' }],
    tools: [weather],
    reasoning_effort: 'low',
  });
const weatherFn: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

describe('several reasoning blocks through chat', () => {
  test('the message carries every block in reasoning_blocks; sent back, each reaches Claude with its own signature', async () => {
    up.anthropic.on('*', answer, 1);
    const first = await askWeather();
    const message = first.choices[0].message as unknown as Record<string, unknown>;
    // Shown joined, never the redacted data; one signature for all would be refused, so there is none.
    expect(message.reasoning_content).toBe(FIRST + SECOND);
    expect(message.reasoning_signature).toBeUndefined();
    expectedBlocks(message.reasoning_blocks as Block[]);
    const call = first.choices[0].message.tool_calls![0];
    const second = await answerWeather(message as never, call.id);
    expect(second.choices[0].message.content).toBe('reply from claude-sonnet-4-5');
    expectedBlocks(reasoningOnly(sentBack(1)));
  });

  test('the joined text with one signature (what the gateway used to send) is refused by Claude with a 400', async () => {
    up.anthropic.on('*', answer, 1);
    const first = await askWeather();
    const call = first.choices[0].message.tool_calls![0];
    const err = await openai.chat.completions
      .create({
        model: 'claude',
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: null, tool_calls: [call], reasoning_content: FIRST, reasoning_signature: fakeThinkingSignature(FIRST) } as never,
          { role: 'tool', tool_call_id: call.id, content: '18C' },
        ],
        tools: [weather],
        reasoning_effort: 'low',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain('cannot be modified');
  });
});

describe('several reasoning blocks through /v1/messages (@anthropic-ai/sdk)', () => {
  test('JSON: the blocks come as Claude sent them and go back unchanged in a tool loop', async () => {
    up.anthropic.on('*', answer, 1);
    const params = { model: 'claude', max_tokens: 4000, thinking: { type: 'enabled' as const, budget_tokens: 2000 } };
    const tools: Anthropic.Tool[] = [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
    const first = await anthropic.messages.create({ ...params, tools, messages: [{ role: 'user', content: 'Weather?' }] });
    expectedBlocks(reasoningOnly(first.content as unknown as Block[]));
    const toolUse = first.content.find((b) => b.type === 'tool_use')!;
    const second = await anthropic.messages.create({
      ...params,
      tools,
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: '18C' }] },
      ],
    });
    expect(second.content.find((b) => b.type === 'text')).toMatchObject({ text: 'reply from claude-sonnet-4-5' });
    expectedBlocks(reasoningOnly(sentBack(1)));
  });

  test('streamed: each block is its own content block, with its own signature, the redacted one whole', async () => {
    up.anthropic.on('*', answer, 1);
    const message = await anthropic.messages
      .stream({ model: 'claude', max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 2000 }, messages: [{ role: 'user', content: 'Weather?' }] })
      .finalMessage();
    expectedBlocks(reasoningOnly(message.content as unknown as Block[]));
    expect(message.content.map((b) => b.type)).toEqual(['thinking', 'redacted_thinking', 'thinking', 'tool_use']);
  });
});

describe('several reasoning blocks through /v1/responses', () => {
  const ask = { model: 'claude', tools: [weatherFn], reasoning: { effort: 'low' as const } };

  test('one reasoning item per block, the redacted one with nothing to show; sent back stateless, Claude gets all three', async () => {
    up.anthropic.on('*', answer, 1);
    const first = await openai.responses.create({ ...ask, input: 'Weather?', store: false, include: ['reasoning.encrypted_content'] });
    expect(first.output.map((o) => o.type)).toEqual(['reasoning', 'reasoning', 'reasoning', 'function_call']);
    const items = first.output as OpenAI.Responses.ResponseReasoningItem[];
    expect(items[0].content).toEqual([{ type: 'reasoning_text', text: FIRST }]);
    expect(items[1].content).toBeUndefined();
    expect(items[1].summary).toEqual([]);
    expect(JSON.stringify(items[1])).not.toMatch(/EmwK/);
    expect(items[2].content).toEqual([{ type: 'reasoning_text', text: SECOND }]);
    const call = first.output[3] as OpenAI.Responses.ResponseFunctionToolCall;
    await openai.responses.create({
      ...ask,
      store: false,
      input: [{ role: 'user', content: 'Weather?' }, ...first.output, { type: 'function_call_output', call_id: call.call_id, output: '18C' }] as never,
    });
    expectedBlocks(reasoningOnly(sentBack(1)));
  });

  test('streamed, then continued by previous_response_id: the blocks come back in order from the stored turn', async () => {
    up.anthropic.on('*', answer, 1);
    const stream = openai.responses.stream({ ...ask, input: 'Weather?' });
    let reasoningText = '';
    for await (const ev of stream) if (ev.type === 'response.reasoning_text.delta') reasoningText += ev.delta;
    const first = await stream.finalResponse();
    expect(reasoningText).toBe(FIRST + SECOND);
    expect(first.output.map((o) => o.type)).toEqual(['reasoning', 'reasoning', 'reasoning', 'function_call']);
    const call = first.output[3] as OpenAI.Responses.ResponseFunctionToolCall;
    const second = await openai.responses.create({
      ...ask,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '18C' }],
    });
    expect(second.output_text).toBe('reply from claude-sonnet-4-5');
    expectedBlocks(reasoningOnly(sentBack(1)));
  });
});

const PARIS = 'First the weather in Paris.';
const ROME = 'Now the weather in Rome.';
/** Claude thinks, calls get_weather, thinks again, calls it again. */
const interleaved = {
  thoughts: [PARIS],
  toolUse: { name: 'get_weather', input: { city: 'Paris' } },
  interleaved: [{ thought: ROME, toolUse: { name: 'get_weather', input: { city: 'Rome' } } }],
};

/** The turn as Claude made it: each thinking block before the tool call it preceded. */
const expectInPlace = (blocks: Block[]) => {
  expect(blocks.map((b) => b.type)).toEqual(['thinking', 'tool_use', 'thinking', 'tool_use']);
  expect(blocks[0]).toEqual({ type: 'thinking', thinking: PARIS, signature: fakeThinkingSignature(PARIS) });
  expect(blocks[1]).toMatchObject({ input: { city: 'Paris' } });
  expect(blocks[2]).toEqual({ type: 'thinking', thinking: ROME, signature: fakeThinkingSignature(ROME) });
  expect(blocks[3]).toMatchObject({ input: { city: 'Rome' } });
};

/** The next turn: the assistant message as the client sends it back, and both tools' results. */
const answerBoth = (assistant: unknown, callIds: string[]) =>
  openai.chat.completions.create({
    model: 'claude',
    messages: [
      { role: 'user', content: 'Weather?' },
      assistant as never,
      ...callIds.map((id) => ({ role: 'tool' as const, tool_call_id: id, content: '18C' })),
    ],
    tools: [weather],
    reasoning_effort: 'low',
  });

describe('thinking between tool calls through chat', () => {
  test('the second block says which tool call it came before, and sent back it reaches Claude in its place', async () => {
    up.anthropic.on('*', interleaved, 1);
    const first = await askWeather();
    const message = first.choices[0].message as unknown as Record<string, unknown>;
    expect(message.reasoning_content).toBe(PARIS + ROME);
    expect(message.reasoning_blocks).toEqual([
      { type: 'thinking', thinking: PARIS, signature: fakeThinkingSignature(PARIS) },
      { type: 'thinking', thinking: ROME, signature: fakeThinkingSignature(ROME), before_tool_call: 1 },
    ]);
    const calls = first.choices[0].message.tool_calls!;
    expect(calls.map((c) => JSON.parse((c as { function: { arguments: string } }).function.arguments) as unknown)).toEqual([
      { city: 'Paris' },
      { city: 'Rome' },
    ]);
    const second = await answerBoth(
      message,
      calls.map((c) => c.id),
    );
    expect(second.choices[0].message.content).toBe('reply from claude-sonnet-4-5');
    expectInPlace(sentBack(1));
  });

  test('blocks sent back without their place go first, and Claude refuses the moved thinking with a 400', async () => {
    up.anthropic.on('*', interleaved, 1);
    const first = await askWeather();
    const message = first.choices[0].message as unknown as Record<string, unknown>;
    const unplaced = (message.reasoning_blocks as Block[]).map(({ before_tool_call: _place, ...block }) => block);
    const calls = first.choices[0].message.tool_calls!;
    const err = await answerBoth(
      { ...message, reasoning_blocks: unplaced },
      calls.map((c) => c.id),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain('cannot be modified');
    expect(sentBack(1).map((b) => b.type)).toEqual(['thinking', 'thinking', 'tool_use', 'tool_use']);
  });
});

describe('thinking between tool calls through /v1/messages (@anthropic-ai/sdk)', () => {
  test('the content comes as Claude made it and goes back as the client sent it', async () => {
    up.anthropic.on('*', interleaved, 1);
    const params = { model: 'claude', max_tokens: 4000, thinking: { type: 'enabled' as const, budget_tokens: 2000 } };
    const tools: Anthropic.Tool[] = [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
    const first = await anthropic.messages.create({ ...params, tools, messages: [{ role: 'user', content: 'Weather?' }] });
    expectInPlace(first.content as unknown as Block[]);
    const toolUses = first.content.filter((b) => b.type === 'tool_use');
    await anthropic.messages.create({
      ...params,
      tools,
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: toolUses.map((t) => ({ type: 'tool_result' as const, tool_use_id: t.id, content: '18C' })) },
      ],
    });
    expectInPlace(sentBack(1));
  });
});

describe('thinking between tool calls through /v1/responses', () => {
  const ask = { model: 'claude', tools: [weatherFn], reasoning: { effort: 'low' as const } };
  const outputs = (output: OpenAI.Responses.ResponseOutputItem[]) =>
    output
      .filter((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')
      .map((c) => ({ type: 'function_call_output' as const, call_id: c.call_id, output: '18C' }));

  test('the reasoning items sit between the function calls; sent back stateless, Claude gets its order', async () => {
    up.anthropic.on('*', interleaved, 1);
    const first = await openai.responses.create({ ...ask, input: 'Weather?', store: false, include: ['reasoning.encrypted_content'] });
    expect(first.output.map((o) => o.type)).toEqual(['reasoning', 'function_call', 'reasoning', 'function_call']);
    expect((first.output[2] as OpenAI.Responses.ResponseReasoningItem).content).toEqual([{ type: 'reasoning_text', text: ROME }]);
    const second = await openai.responses.create({
      ...ask,
      store: false,
      input: [{ role: 'user', content: 'Weather?' }, ...first.output, ...outputs(first.output)] as never,
    });
    expect(second.output_text).toBe('reply from claude-sonnet-4-5');
    expectInPlace(sentBack(1));
  });

  test('streamed, then continued by previous_response_id: the stored turn gives Claude its order back', async () => {
    up.anthropic.on('*', interleaved, 1);
    const first = await openai.responses.stream({ ...ask, input: 'Weather?' }).finalResponse();
    expect(first.output.map((o) => o.type)).toEqual(['reasoning', 'function_call', 'reasoning', 'function_call']);
    const second = await openai.responses.create({ ...ask, previous_response_id: first.id, input: outputs(first.output) });
    expect(second.output_text).toBe('reply from claude-sonnet-4-5');
    expectInPlace(sentBack(1));
  });
});
