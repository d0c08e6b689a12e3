/**
 * Claude's extended thinking on Bedrock through the real gateway: Converse's `reasoningContent` blocks (signed
 * `reasoningText`, opaque `redactedContent`) and ConverseStream's reasoning deltas reach chat, `/v1/messages` and
 * `/v1/responses` clients in the same shapes as Anthropic's own thinking, and go back with each signature in a
 * tool loop, against a fake Bedrock that, as Claude on Bedrock does, refuses a tool-result turn whose reasoning
 * is missing or changed.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { fakeBedrockReasoningSignature, startFakeBedrock, type FakeBedrock } from '../../src/testing/fake-bedrock';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';

const CLAUDE = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const BEARER = 'ABSKbedrock-thinking-key-0123456789';
const FIRST = 'First the weather.';
const SECOND = 'Then the answer.';

let fake: FakeBedrock;
let gw: InProcessGateway;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  fake = await startFakeBedrock({ bearerKeys: [BEARER] });
  gw = await startInProcess({
    config: `
providers:
  aws: { api: bedrock, base_url: "${fake.url}", region: us-east-1, api_key: "${BEARER}" }
models:
  claude: { targets: [ { provider: aws, model: "${CLAUDE}" } ] }
`,
  });
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});
beforeEach(() => fake.reset());

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
const toolUse = { name: 'get_weather', input: { city: 'Paris' } };
type Json = Record<string, unknown>;
/** The assistant turn Bedrock was sent back in call `n`. */
const sentBack = (n: number) => ((fake.calls[n].body as { messages: { role: string; content: Json[] }[] }).messages[1] ?? { content: [] }).content;
const reasoningOnly = (blocks: Json[]) => blocks.filter((b) => 'reasoningContent' in b);
const expectSentBackWhole = (n: number) => {
  const sent = reasoningOnly(sentBack(n));
  expect(sent).toEqual([
    { reasoningContent: { reasoningText: { text: FIRST, signature: fakeBedrockReasoningSignature(FIRST) } } },
    { reasoningContent: { redactedContent: expect.any(String) } },
    { reasoningContent: { reasoningText: { text: SECOND, signature: fakeBedrockReasoningSignature(SECOND) } } },
  ]);
  // First in the turn, as Claude requires (the fake also checks the redacted block came back unchanged).
  expect(sentBack(n)[0]).toEqual(sent[0]);
};

describe('Claude thinking on Bedrock through chat', () => {
  test('reasoning_effort asks Claude on Bedrock to think; one signed block comes as reasoning_content and reasoning_signature', async () => {
    fake.on('*', { thoughts: [FIRST], toolUse }, 1);
    const first = await openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [weather],
      reasoning_effort: 'low',
      temperature: 0.3,
    });
    const sent = fake.calls[0].body as { additionalModelRequestFields?: Json; inferenceConfig?: Json };
    expect(sent.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 2048 } });
    expect(sent.inferenceConfig?.temperature).toBeUndefined();
    const message = first.choices[0].message as unknown as Json;
    expect(message.reasoning_content).toBe(FIRST);
    expect(message.reasoning_signature).toBe(fakeBedrockReasoningSignature(FIRST));
    const call = first.choices[0].message.tool_calls![0];
    const second = await answerWeather(message as never, call.id);
    expect(second.choices[0].message.content).toContain('reply from');
    expect(sentBack(1)[0]).toEqual({ reasoningContent: { reasoningText: { text: FIRST, signature: fakeBedrockReasoningSignature(FIRST) } } });
  });

  test('several blocks and a redacted one come as reasoning_blocks and go back whole, in order, streamed too', async () => {
    fake.on('*', { thoughts: [FIRST, { redacted: true }, SECOND], toolUse }, 1);
    const stream = await openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [weather],
      reasoning_effort: 'low',
      stream: true,
    });
    const deltas: Json[] = [];
    for await (const chunk of stream) if (chunk.choices[0]) deltas.push(chunk.choices[0].delta as unknown as Json);
    // Text, then the signature that ends the block; the redacted block whole in reasoning_redacted.
    expect(
      deltas
        .filter((d) => d.reasoning_content || d.reasoning_signature || d.reasoning_redacted)
        .map((d) => Object.keys(d).find((k) => k.startsWith('reasoning_'))),
    ).toEqual(['reasoning_content', 'reasoning_signature', 'reasoning_redacted', 'reasoning_content', 'reasoning_signature']);

    fake.on('*', { thoughts: [FIRST, { redacted: true }, SECOND], toolUse }, 1);
    const first = await askWeather();
    const message = first.choices[0].message as unknown as Json;
    expect(message.reasoning_content).toBe(FIRST + SECOND);
    expect(message.reasoning_signature).toBeUndefined();
    const call = first.choices[0].message.tool_calls![0];
    await answerWeather(message as never, call.id);
    expectSentBackWhole(2);
  });

  test('a tool-result turn without its reasoning is refused by Bedrock when the client asks for thinking itself', async () => {
    fake.on('*', { thoughts: [FIRST], toolUse }, 1);
    const first = await askWeather();
    const call = first.choices[0].message.tool_calls![0];
    const err = await openai.chat.completions
      .create({
        model: 'claude',
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: '18C' },
        ],
        tools: [weather],
        thinking: { type: 'enabled', budget_tokens: 2048 },
        max_tokens: 4096,
      } as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain('must start with a thinking block');
    // Asked by reasoning_effort, that turn goes on without thinking instead.
    const second = await answerWeather({ role: 'assistant', content: null, tool_calls: [call] }, call.id);
    expect(second.choices[0].message.content).toContain('reply from');
    expect((fake.calls[2].body as Json).additionalModelRequestFields).toBeUndefined();
  });
});

describe('Claude thinking on Bedrock through /v1/messages and /v1/responses', () => {
  test('@anthropic-ai/sdk streams thinking and redacted_thinking blocks and sends them back in a tool loop', async () => {
    fake.on('*', { thoughts: [FIRST, { redacted: true }, SECOND], toolUse }, 1);
    const params = { model: 'claude', max_tokens: 4096, thinking: { type: 'enabled' as const, budget_tokens: 2048 } };
    const tools: Anthropic.Tool[] = [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
    const first = await anthropic.messages.stream({ ...params, tools, messages: [{ role: 'user', content: 'Weather?' }] }).finalMessage();
    expect(first.content.map((b) => b.type)).toEqual(['thinking', 'redacted_thinking', 'thinking', 'tool_use']);
    expect(first.content[0]).toEqual({ type: 'thinking', thinking: FIRST, signature: fakeBedrockReasoningSignature(FIRST) });
    const use = first.content[3] as Anthropic.ToolUseBlock;
    await anthropic.messages.create({
      ...params,
      tools,
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '18C' }] },
      ],
    });
    expectSentBackWhole(1);
  });

  test('the Responses API gives one reasoning item per block and previous_response_id sends them all back', async () => {
    fake.on('*', { thoughts: [FIRST, { redacted: true }, SECOND], toolUse }, 1);
    const fn: OpenAI.Responses.FunctionTool = { type: 'function', name: 'get_weather', parameters: weather.function.parameters!, strict: false };
    const first = await openai.responses.create({ model: 'claude', input: 'Weather?', tools: [fn], reasoning: { effort: 'low' } });
    expect(first.output.map((o) => o.type)).toEqual(['reasoning', 'reasoning', 'reasoning', 'function_call']);
    const call = first.output[3] as OpenAI.Responses.ResponseFunctionToolCall;
    const second = await openai.responses.create({
      model: 'claude',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '18C' }],
      tools: [fn],
      reasoning: { effort: 'low' },
    });
    expect(second.output_text).toContain('reply from');
    expectSentBackWhole(1);
  });
});
