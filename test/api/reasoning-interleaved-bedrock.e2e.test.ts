/**
 * Claude on Bedrock reasoning again between tool calls (reasoningContent, toolUse, reasoningContent, toolUse): each
 * block goes back in its place, through chat (`before_tool_call`) and `/v1/responses` (reasoning items between the
 * function calls), against a fake Bedrock that refuses a tool-result turn whose reasoning was moved.
 */
import OpenAI from 'openai';
import { fakeBedrockReasoningSignature, startFakeBedrock, type FakeBedrock } from '../../src/testing/fake-bedrock';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';

const CLAUDE = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const BEARER = 'ABSKbedrock-interleaved-key-0123456789';
const FIRST = 'First the weather in Paris.';
const SECOND = 'Now the weather in Rome.';
const answer = {
  thoughts: [FIRST],
  toolUse: { name: 'get_weather', input: { city: 'Paris' } },
  interleaved: [{ thought: SECOND, toolUse: { name: 'get_weather', input: { city: 'Rome' } } }],
};

let fake: FakeBedrock;
let gw: InProcessGateway;
let openai: OpenAI;
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
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});
beforeEach(() => fake.reset());

type Json = Record<string, unknown>;
/** The assistant turn Bedrock was sent back in call `n`. */
const sentBack = (n: number) => (fake.calls[n].body!.messages as { role: string; content: Json[] }[]).find((m) => m.role === 'assistant')!.content;
const expectInPlace = (blocks: Json[]) => {
  expect(blocks.map((b) => Object.keys(b)[0])).toEqual(['reasoningContent', 'toolUse', 'reasoningContent', 'toolUse']);
  expect(blocks[0]).toEqual({ reasoningContent: { reasoningText: { text: FIRST, signature: fakeBedrockReasoningSignature(FIRST) } } });
  expect(blocks[2]).toEqual({ reasoningContent: { reasoningText: { text: SECOND, signature: fakeBedrockReasoningSignature(SECOND) } } });
  expect(blocks[3]).toMatchObject({ toolUse: { input: { city: 'Rome' } } });
};

const weather: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const chatTurn = (messages: unknown[]) =>
  openai.chat.completions.create({ model: 'claude', messages: messages as never, tools: [weather], reasoning_effort: 'low' });
const results = (ids: string[]) => ids.map((id) => ({ role: 'tool', tool_call_id: id, content: '18C' }));

describe('reasoning between tool calls on Bedrock', () => {
  test('chat: the second block says where it was, and sent back it reaches Claude in its place', async () => {
    fake.on('*', answer, 1);
    const first = await chatTurn([{ role: 'user', content: 'Weather?' }]);
    const message = first.choices[0].message as unknown as Json;
    expect((message.reasoning_blocks as Json[])[1]).toEqual({
      type: 'thinking',
      thinking: SECOND,
      signature: fakeBedrockReasoningSignature(SECOND),
      before_tool_call: 1,
    });
    const ids = first.choices[0].message.tool_calls!.map((c) => c.id);
    const second = await chatTurn([{ role: 'user', content: 'Weather?' }, message, ...results(ids)]);
    expect(second.choices[0].message.content).toBe(`reply from ${CLAUDE}`);
    expectInPlace(sentBack(1));
  });

  test('chat: the blocks sent back without their place are refused as modified', async () => {
    fake.on('*', answer, 1);
    const first = await chatTurn([{ role: 'user', content: 'Weather?' }]);
    const message = first.choices[0].message as unknown as Json;
    const unplaced = (message.reasoning_blocks as Json[]).map(({ before_tool_call: _place, ...block }) => block);
    const ids = first.choices[0].message.tool_calls!.map((c) => c.id);
    const err = await chatTurn([{ role: 'user', content: 'Weather?' }, { ...message, reasoning_blocks: unplaced }, ...results(ids)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain('cannot be modified');
  });

  test('/v1/responses streamed, then continued by previous_response_id: the items sit between the calls and go back in place', async () => {
    fake.on('*', answer, 1);
    const ask = {
      model: 'claude',
      reasoning: { effort: 'low' as const },
      tools: [{ type: 'function' as const, name: 'get_weather', parameters: weather.function.parameters!, strict: false }],
    };
    const first = await openai.responses.stream({ ...ask, input: 'Weather?' }).finalResponse();
    expect(first.output.map((o) => o.type)).toEqual(['reasoning', 'function_call', 'reasoning', 'function_call']);
    const outputs = (first.output as OpenAI.Responses.ResponseOutputItem[])
      .filter((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')
      .map((c) => ({ type: 'function_call_output' as const, call_id: c.call_id, output: '18C' }));
    const second = await openai.responses.create({ ...ask, previous_response_id: first.id, input: outputs });
    expect(second.output_text).toBe(`reply from ${CLAUDE}`);
    expectInPlace(sentBack(1));
  });
});
