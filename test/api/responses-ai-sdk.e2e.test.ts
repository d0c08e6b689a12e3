/**
 * The Vercel AI SDK's default OpenAI provider (`createOpenAI({ baseURL })(model)`, which speaks the Responses
 * API) against the gateway, with Claude, Gemini and OpenAI fakes behind it: generateText, streamText,
 * generateObject, a tool loop, and a conversation whose earlier answer the SDK sends back as an item_reference.
 */
import { generateObject, generateText, jsonSchema, stepCountIs, streamText, tool, type ModelMessage } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { gatewayWithBackends, standardConfig } from './backends';

let openai: ReturnType<typeof createOpenAI>;
/** The bodies the SDK sent to the gateway. */
const sent: Record<string, unknown>[] = [];
const recordingFetch: typeof fetch = (input, init) => {
  if (typeof init?.body === 'string') sent.push(JSON.parse(init.body) as Record<string, unknown>);
  return fetch(input, init);
};

const up = gatewayWithBackends(
  (f) => `${standardConfig(f)}  # An alias named like a reasoning model, so the SDK asks for reasoning summaries.
  gpt-5:  { targets: [ { provider: gpt, model: deepseek-reasoner } ] }
`,
);
beforeAll(() => {
  openai = createOpenAI({ baseURL: `${up.gw.url}/v1`, apiKey: 'client-key', fetch: recordingFetch });
});
beforeEach(() => {
  sent.length = 0;
});

const MODELS = { claude: 'claude-sonnet-4-5', gemini: 'gemini-2.5-flash', gpt: 'gpt-4o-mini', native: 'gpt-4.1-mini' } as const;

describe.each(Object.keys(MODELS) as (keyof typeof MODELS)[])('the AI SDK’s openai(%s) through /v1/responses', (alias) => {
  test('generateText answers with the backend’s text and its usage', async () => {
    const r = await generateText({ model: openai(alias), system: 'Be brief.', prompt: 'Say hello', maxRetries: 0 });
    expect(r.text).toBe(`reply from ${MODELS[alias]}`);
    expect(r.finishReason).toBe('stop');
    expect(r.usage.inputTokens).toBeGreaterThan(0);
    expect(r.usage.outputTokens).toBeGreaterThan(0);
  });

  test('streamText streams the same text', async () => {
    const r = streamText({ model: openai(alias), prompt: 'Say hello', maxRetries: 0 });
    let text = '';
    for await (const piece of r.textStream) text += piece;
    expect(text).toBe(`reply from ${MODELS[alias]}`);
    expect(await r.finishReason).toBe('stop');
  });
});

describe('structured output and tools with the AI SDK', () => {
  const schema = jsonSchema<{ city: string; temp_c: number }>({
    type: 'object',
    properties: { city: { type: 'string' }, temp_c: { type: 'number' } },
    required: ['city', 'temp_c'],
    additionalProperties: false,
  });

  test.each(['gpt', 'gemini', 'native'] as const)('generateObject on %s gets the object the backend produced', async (alias) => {
    up.openai.on('*', { reply: '{"city":"Paris","temp_c":18}' });
    up.gemini.on('*', { reply: '{"city":"Paris","temp_c":18}' });
    const r = await generateObject({ model: openai(alias), schema, prompt: 'Weather in Paris?', maxRetries: 0 });
    expect(r.object).toEqual({ city: 'Paris', temp_c: 18 });
  });

  test.each(['claude', 'gemini', 'gpt'] as const)('a tool loop on %s: the call, its result sent back, then the answer', async (alias) => {
    if (alias === 'claude') up.anthropic.on('*', { toolUse: { name: 'get_weather', input: { city: 'Paris' } } }, 1);
    if (alias === 'gemini') up.gemini.on('*', { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, 1);
    if (alias === 'gpt') up.openai.on('*', { toolCall: { name: 'get_weather', arguments: '{"city":"Paris"}' } }, 1);
    const seen: string[] = [];
    const r = await generateText({
      model: openai(alias),
      prompt: 'Weather in Paris?',
      tools: {
        get_weather: tool({
          description: 'Current weather',
          inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
          execute: ({ city }) => {
            seen.push(city);
            return Promise.resolve({ city, temp_c: 18 });
          },
        }),
      },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(seen).toEqual(['Paris']);
    expect(r.steps).toHaveLength(2);
    expect(r.text).toBe(`reply from ${MODELS[alias]}`);
    const calls = alias === 'claude' ? up.anthropic.calls : alias === 'gemini' ? up.gemini.calls : up.openai.calls;
    expect(JSON.stringify(calls[1].body)).toContain('temp_c');
  });

  test('reasoning text from a chat backend reaches the SDK as reasoning when it asks for a summary, JSON and streamed', async () => {
    up.openai.on('*', { reasoning: 'The user wants a greeting.' });
    const providerOptions = { openai: { reasoningSummary: 'auto' } };
    const r = await generateText({ model: openai('gpt-5'), prompt: 'Say hello', providerOptions, maxRetries: 0 });
    expect(r.reasoningText).toBe('The user wants a greeting.');
    expect(r.text).toBe('reply from deepseek-reasoner');
    const s = streamText({ model: openai('gpt-5'), prompt: 'Say hello', providerOptions, maxRetries: 0 });
    let reasoning = '';
    for await (const part of s.fullStream) if (part.type === 'reasoning-delta') reasoning += part.text;
    expect(reasoning).toBe('The user wants a greeting.');
    expect(await s.text).toBe('reply from deepseek-reasoner');
  });

  test('a conversation continued on another backend: the earlier answer the SDK sends as an item_reference is found', async () => {
    const first = await generateText({ model: openai('claude'), prompt: 'My name is Ada.', maxRetries: 0 });
    const messages: ModelMessage[] = [{ role: 'user', content: 'My name is Ada.' }, ...first.response.messages, { role: 'user', content: 'My name?' }];
    const second = await generateText({ model: openai('gemini'), messages, maxRetries: 0 });
    expect(second.text).toBe('reply from gemini-2.5-flash');
    expect(sent[1].input).toContainEqual({ type: 'item_reference', id: expect.stringMatching(/^msg_[0-9a-f]{32}_\d+$/) as unknown });
    const contents = up.gemini.calls[0].body!.contents as { role: string; parts: { text?: string }[] }[];
    expect(contents.map((c) => c.parts.map((p) => p.text).join(''))).toEqual(['My name is Ada.', 'reply from claude-sonnet-4-5', 'My name?']);
  });
});
