/**
 * Claude may think again between tool calls (thinking, tool_use, thinking, tool_use), and wants the turn back with
 * each thinking block in its place. Through chat (`reasoning_blocks[i].before_tool_call`), `/v1/messages` (as
 * sent) and `/v1/responses` (reasoning items between the function_call items), against a fake Anthropic that
 * refuses a tool-result turn whose thinking was moved relative to its tool_use blocks.
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

const FIRST = 'First the weather in Paris.';
const SECOND = 'Now the weather in Rome.';
/** Claude thinks, calls get_weather, thinks again, calls it again. */
const answer = {
  thoughts: [FIRST],
  toolUse: { name: 'get_weather', input: { city: 'Paris' } },
  interleaved: [{ thought: SECOND, toolUse: { name: 'get_weather', input: { city: 'Rome' } } }],
};

type Block = Record<string, unknown>;
/** The assistant turn Claude was sent back in call `n`. */
const sentBack = (n: number) => (up.anthropic.calls[n].body!.messages as { role: string; content: Block[] }[]).find((m) => m.role === 'assistant')!.content;
/** The turn as Claude made it: each thinking block before the tool call it preceded. */
const expectInPlace = (blocks: Block[]) => {
  expect(blocks.map((b) => b.type)).toEqual(['thinking', 'tool_use', 'thinking', 'tool_use']);
  expect(blocks[0]).toEqual({ type: 'thinking', thinking: FIRST, signature: fakeThinkingSignature(FIRST) });
  expect(blocks[1]).toMatchObject({ input: { city: 'Paris' } });
  expect(blocks[2]).toEqual({ type: 'thinking', thinking: SECOND, signature: fakeThinkingSignature(SECOND) });
  expect(blocks[3]).toMatchObject({ input: { city: 'Rome' } });
};

const weather: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const askWeather = () =>
  openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Weather?' }], tools: [weather], reasoning_effort: 'low' });
/** The next turn: the assistant message as the client sends it back, and both tools' results. */
const answerWeather = (assistant: unknown, callIds: string[]) =>
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
    up.anthropic.on('*', answer, 1);
    const first = await askWeather();
    const message = first.choices[0].message as unknown as Record<string, unknown>;
    expect(message.reasoning_content).toBe(FIRST + SECOND);
    expect(message.reasoning_blocks).toEqual([
      { type: 'thinking', thinking: FIRST, signature: fakeThinkingSignature(FIRST) },
      { type: 'thinking', thinking: SECOND, signature: fakeThinkingSignature(SECOND), before_tool_call: 1 },
    ]);
    const calls = first.choices[0].message.tool_calls!;
    expect(calls.map((c) => JSON.parse((c as { function: { arguments: string } }).function.arguments) as unknown)).toEqual([
      { city: 'Paris' },
      { city: 'Rome' },
    ]);
    const second = await answerWeather(
      message,
      calls.map((c) => c.id),
    );
    expect(second.choices[0].message.content).toBe('reply from claude-sonnet-4-5');
    expectInPlace(sentBack(1));
  });

  test('blocks sent back without their place go first, and Claude refuses the moved thinking with a 400', async () => {
    up.anthropic.on('*', answer, 1);
    const first = await askWeather();
    const message = first.choices[0].message as unknown as Record<string, unknown>;
    const unplaced = (message.reasoning_blocks as Block[]).map(({ before_tool_call: _place, ...block }) => block);
    const calls = first.choices[0].message.tool_calls!;
    const err = await answerWeather(
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
    up.anthropic.on('*', answer, 1);
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
  const weatherFn: OpenAI.Responses.FunctionTool = {
    type: 'function',
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
    strict: true,
  };
  const ask = { model: 'claude', tools: [weatherFn], reasoning: { effort: 'low' as const } };
  const outputs = (output: OpenAI.Responses.ResponseOutputItem[]) =>
    output
      .filter((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')
      .map((c) => ({ type: 'function_call_output' as const, call_id: c.call_id, output: '18C' }));

  test('the reasoning items sit between the function calls; sent back stateless, Claude gets its order', async () => {
    up.anthropic.on('*', answer, 1);
    const first = await openai.responses.create({ ...ask, input: 'Weather?', store: false, include: ['reasoning.encrypted_content'] });
    expect(first.output.map((o) => o.type)).toEqual(['reasoning', 'function_call', 'reasoning', 'function_call']);
    expect((first.output[2] as OpenAI.Responses.ResponseReasoningItem).content).toEqual([{ type: 'reasoning_text', text: SECOND }]);
    const second = await openai.responses.create({
      ...ask,
      store: false,
      input: [{ role: 'user', content: 'Weather?' }, ...first.output, ...outputs(first.output)] as never,
    });
    expect(second.output_text).toBe('reply from claude-sonnet-4-5');
    expectInPlace(sentBack(1));
  });

  test('streamed, then continued by previous_response_id: the stored turn gives Claude its order back', async () => {
    up.anthropic.on('*', answer, 1);
    const first = await openai.responses.stream({ ...ask, input: 'Weather?' }).finalResponse();
    expect(first.output.map((o) => o.type)).toEqual(['reasoning', 'function_call', 'reasoning', 'function_call']);
    const second = await openai.responses.create({ ...ask, previous_response_id: first.id, input: outputs(first.output) });
    expect(second.output_text).toBe('reply from claude-sonnet-4-5');
    expectInPlace(sentBack(1));
  });
});
