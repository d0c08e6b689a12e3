/**
 * Claude's extended thinking through /v1/responses with the official `openai` SDK: the thinking comes out as a
 * `reasoning` item (its signature sealed in `encrypted_content`, shown only when `include` asks for it), streams
 * as reasoning deltas, and goes back to Anthropic as a signed thinking block when the client sends the item back
 * or continues by previous_response_id, so a tool loop with thinking on works against a fake Anthropic that, as
 * the real one, refuses a tool-result turn without its signed thinking. Structured output to Claude
 * (`text.format` json_schema, `responses.parse`) JSON and streamed.
 */
import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { fakeThinkingSignature } from '../../src/testing/fake-anthropic';
import { gatewayWithBackends } from './backends';

let client: OpenAI;

const up = gatewayWithBackends(
  (f) => `
providers:
  claude: { api: anthropic, base_url: "${f.anthropic.url}", api_key: "sk-ant-gateway-key" }
  native: { api: openai, base_url: "${f.openai.url}", api_key: "sk-openai-gateway-key", responses: native }
models:
  claude: { targets: [ { provider: claude, model: claude-sonnet-4-5 } ] }
  native: { targets: [ { provider: native, model: gpt-4.1-mini } ] }
`,
);
beforeAll(() => {
  client = new OpenAI({ baseURL: `${up.gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
});

const weather: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

const THOUGHT = 'Thinking it over.';
type Block = Record<string, unknown>;
const assistantBlocks = (call: number) =>
  (up.anthropic.calls[call].body!.messages as { role: string; content: Block[] }[]).filter((m) => m.role === 'assistant').map((m) => m.content);
const reasoningOf = (output: OpenAI.Responses.ResponseOutputItem[]) => output.find((o): o is OpenAI.Responses.ResponseReasoningItem => o.type === 'reasoning')!;
const callOf = (output: OpenAI.Responses.ResponseOutputItem[]) =>
  output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')!;

describe('Claude thinking as reasoning items', () => {
  test('the thinking is a reasoning item before the answer; encrypted_content only when include asks for it', async () => {
    const plain = await client.responses.create({ model: 'claude', input: 'Think', reasoning: { effort: 'low' } });
    expect(plain.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
    expect(reasoningOf(plain.output).content).toEqual([{ type: 'reasoning_text', text: THOUGHT }]);
    expect(reasoningOf(plain.output).encrypted_content).toBeUndefined();

    const included = await client.responses.create({
      model: 'claude',
      input: 'Think',
      reasoning: { effort: 'low', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
    });
    const item = reasoningOf(included.output);
    expect(item.summary).toEqual([{ type: 'summary_text', text: THOUGHT }]);
    // Opaque to the client: not the signature itself.
    expect(typeof item.encrypted_content).toBe('string');
    expect(item.encrypted_content).not.toContain(fakeThinkingSignature(THOUGHT));
  });

  test('a stateless tool loop (store: false): the reasoning item sent back reaches Claude as its signed thinking block', async () => {
    up.anthropic.on('*', { toolUse: { name: 'get_weather', input: { city: 'Paris' } } }, 1);
    const first = await client.responses.create({
      model: 'claude',
      input: 'Weather in Paris?',
      tools: [weather],
      reasoning: { effort: 'low' },
      store: false,
      include: ['reasoning.encrypted_content'],
    });
    const call = callOf(first.output);
    // The AI SDK sends back only the summary and encrypted_content of a reasoning item: enough.
    const { id: _id, content: _content, ...reasoning } = reasoningOf(first.output);
    const second = await client.responses.create({
      model: 'claude',
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        reasoning as OpenAI.Responses.ResponseReasoningItem,
        call,
        { type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":18}' },
      ],
      tools: [weather],
      reasoning: { effort: 'low' },
      store: false,
    });
    expect(second.output_text).toBe('reply from claude-sonnet-4-5');
    expect(up.anthropic.calls[1].body!.thinking).toMatchObject({ type: 'enabled' });
    expect(assistantBlocks(1)[0][0]).toEqual({ type: 'thinking', thinking: THOUGHT, signature: fakeThinkingSignature(THOUGHT) });
  });

  test('without the reasoning item, the tool loop goes on with thinking off for that turn (Anthropic would refuse it)', async () => {
    up.anthropic.on('*', { toolUse: { name: 'get_weather', input: { city: 'Paris' } } }, 1);
    const first = await client.responses.create({ model: 'claude', input: 'Weather?', tools: [weather], reasoning: { effort: 'low' }, store: false });
    const call = callOf(first.output);
    const second = await client.responses.create({
      model: 'claude',
      input: [{ role: 'user', content: 'Weather?' }, call, { type: 'function_call_output', call_id: call.call_id, output: '18C' }],
      tools: [weather],
      reasoning: { effort: 'low' },
      store: false,
    });
    expect(second.status).toBe('completed');
    expect(up.anthropic.calls[1].body!.thinking).toBeUndefined();
  });

  test('a reasoning item whose sealed text was tampered with is refused by Anthropic, and the client gets a 400', async () => {
    up.anthropic.on('*', { toolUse: { name: 'get_weather', input: { city: 'Paris' } } }, 1);
    const first = await client.responses.create({
      model: 'claude',
      input: 'Weather?',
      tools: [weather],
      reasoning: { effort: 'low' },
      store: false,
      include: ['reasoning.encrypted_content'],
    });
    const reasoning = reasoningOf(first.output);
    // The seal is the gateway's: a client that forges one with other text gets Anthropic's refusal, not silence.
    const forged = `swy_rs1.${Buffer.from(JSON.stringify({ t: 'Other text', s: fakeThinkingSignature(THOUGHT) })).toString('base64url')}`;
    const call = callOf(first.output);
    const err = await client.responses
      .create({
        model: 'claude',
        input: [
          { role: 'user', content: 'Weather?' },
          { ...reasoning, encrypted_content: forged },
          call,
          { type: 'function_call_output', call_id: call.call_id, output: '18C' },
        ],
        tools: [weather],
        reasoning: { effort: 'low' },
        store: false,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain('Invalid `signature` in `thinking` block');
  });

  test('previous_response_id continues a streamed tool loop with thinking, though the client never saw encrypted_content', async () => {
    up.anthropic.on('*', { toolUse: { name: 'get_weather', input: { city: 'Paris' } } }, 1);
    const stream = client.responses.stream({ model: 'claude', input: 'Weather?', tools: [weather], reasoning: { effort: 'low' } });
    const types: string[] = [];
    let reasoningText = '';
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.reasoning_text.delta') reasoningText += ev.delta;
      if (ev.type === 'response.output_item.done' && ev.item.type === 'reasoning') expect(ev.item.encrypted_content).toBeUndefined();
    }
    const first = await stream.finalResponse();
    expect(reasoningText).toBe(THOUGHT);
    expect(types.indexOf('response.reasoning_text.delta')).toBeLessThan(types.indexOf('response.function_call_arguments.delta'));
    expect(reasoningOf(first.output).encrypted_content).toBeUndefined();

    const next = client.responses.stream({
      model: 'claude',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: callOf(first.output).call_id, output: '18C' }],
      tools: [weather],
      reasoning: { effort: 'low' },
    });
    const second = await next.finalResponse();
    expect(second.output_text).toBe('reply from claude-sonnet-4-5');
    expect(up.anthropic.calls[1].body!.thinking).toMatchObject({ type: 'enabled' });
    expect(assistantBlocks(1)[0].map((b) => b.type)).toEqual(['thinking', 'tool_use']);
    expect(assistantBlocks(1)[0][0].signature).toBe(fakeThinkingSignature(THOUGHT));
  });

  test('streamed with include, the reasoning item is done with its encrypted_content; GET shows it only with include', async () => {
    const stream = client.responses.stream({
      model: 'claude',
      input: 'Think',
      reasoning: { effort: 'low', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
    });
    let summary = '';
    let sealed: string | null | undefined;
    for await (const ev of stream) {
      if (ev.type === 'response.reasoning_summary_text.delta') summary += ev.delta;
      if (ev.type === 'response.output_item.done' && ev.item.type === 'reasoning') sealed = ev.item.encrypted_content;
    }
    const final = await stream.finalResponse();
    expect(summary).toBe(THOUGHT);
    expect(sealed).toEqual(expect.any(String));
    expect(reasoningOf(final.output).encrypted_content).toBe(sealed);
    const plain = await client.responses.retrieve(final.id);
    expect(reasoningOf(plain.output).encrypted_content).toBeUndefined();
    const included = await client.responses.retrieve(final.id, { include: ['reasoning.encrypted_content'] });
    expect(reasoningOf(included.output).encrypted_content).toBe(sealed);
  });

  test('a Claude turn with thinking continues on a native OpenAI backend, which is not sent reasoning it cannot read', async () => {
    const first = await client.responses.create({ model: 'claude', input: 'Think', reasoning: { effort: 'low' } });
    const second = await client.responses.create({ model: 'native', previous_response_id: first.id, input: 'And now?' });
    expect(second.output_text).toBe('reply from gpt-4.1-mini');
    const input = up.openai.calls[0].body!.input as { type?: string; role?: string }[];
    expect(input.map((i) => i.type ?? i.role)).toEqual(['message', 'message', 'message']);
    // Reasoning with no encrypted content (another backend's, or dropped by the client) has nothing OpenAI can use.
    up.openai.reset();
    await client.responses.create({
      model: 'native',
      input: [{ type: 'reasoning', summary: [{ type: 'summary_text', text: 'Earlier thoughts' }] } as never, { role: 'user', content: 'Go on' }],
    });
    expect((up.openai.calls[0].body!.input as { role?: string }[]).map((i) => i.role)).toEqual(['user']);
  });
});

describe('structured output from Claude through the Responses API', () => {
  const Weather = z.object({ city: z.string(), temp_c: z.number(), conditions: z.enum(['sunny', 'rainy']) });

  test('responses.parse gets a parsed object; the schema reaches Anthropic as its native output format', async () => {
    const r = await client.responses.parse({ model: 'claude', input: 'Weather in Paris?', text: { format: zodTextFormat(Weather, 'weather') } });
    expect(Weather.safeParse(r.output_parsed).success).toBe(true);
    const format = (up.anthropic.calls[0].body!.output_config as { format: { type: string; schema: Record<string, unknown> } }).format;
    expect(format.type).toBe('json_schema');
    expect(format.schema).toMatchObject({ properties: { city: { type: 'string' } }, additionalProperties: false });
  });

  test('streamed, the assembled text parses against the schema', async () => {
    const stream = client.responses.stream({ model: 'claude', input: 'Weather in Paris?', text: { format: zodTextFormat(Weather, 'weather') } });
    let deltas = 0;
    for await (const ev of stream) if (ev.type === 'response.output_text.delta') deltas++;
    const final = await stream.finalResponse();
    expect(deltas).toBeGreaterThan(0);
    expect(Weather.parse(final.output_parsed)).toEqual(Weather.parse(JSON.parse(final.output_text)));
  });

  test('json_object asks Claude for one JSON object', async () => {
    up.anthropic.on('*', { reply: '{"ok":true}' });
    const r = await client.responses.create({ model: 'claude', input: 'Answer in JSON', text: { format: { type: 'json_object' } } });
    expect(JSON.parse(r.output_text)).toEqual({ ok: true });
    expect(JSON.stringify(up.anthropic.calls[0].body!.system)).toContain('one valid JSON object');
  });
});
