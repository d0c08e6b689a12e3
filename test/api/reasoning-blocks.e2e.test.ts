/**
 * Claude answers with several reasoning blocks (thinking blocks, and redacted_thinking ones when its reasoning was
 * flagged): each goes back to Claude whole, with its own signature, in order, through chat (`reasoning_blocks`),
 * `/v1/messages` (`@anthropic-ai/sdk`) and `/v1/responses` (one reasoning item per block), JSON and streamed,
 * against a fake Anthropic that refuses a tool-result turn whose thinking was joined, cut or changed.
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
