/**
 * The native adapters and the Anthropic front door through the real gateway (in-process), driven by the official `openai` and
 * `@anthropic-ai/sdk` clients, against fake Anthropic, Gemini and OpenAI upstreams that reject malformed
 * requests the way the real APIs do.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeAnthropic, type FakeAnthropic } from '../src/testing/fake-anthropic';
import { startFakeGemini, type FakeGemini } from '../src/testing/fake-gemini';
import { startFakeOpenAI, type FakeOpenAI } from '../src/testing/fake-openai';
import { startInProcess, type InProcessGateway } from './helpers/in-process';

let anthropicFake: FakeAnthropic;
let geminiFake: FakeGemini;
let openaiFake: FakeOpenAI;
let gw: InProcessGateway;
let openai: OpenAI;
let anthropic: Anthropic;

const config = () => `
providers:
  claude: { api: anthropic, base_url: "${anthropicFake.url}", api_key: "sk-ant-gateway-key" }
  gem:    { api: gemini, base_url: "${geminiFake.url}", api_key: "AIza-gateway-key" }
  gpt:    { api: openai, base_url: "${openaiFake.url}", api_key: "sk-openai-gateway-key" }
  az:     { api: azure, base_url: "http://127.0.0.1:${openaiFake.port}", api_key: "azure-gateway-key", api_version: "2024-10-21" }
models:
  claude: { targets: [ { provider: claude, model: claude-sonnet-4-5 } ] }
  gemini: { targets: [ { provider: gem, model: gemini-2.5-flash } ] }
  gpt:    { targets: [ { provider: gpt, model: gpt-4o-mini } ] }
  azure:  { targets: [ { provider: az, model: gpt4o-deployment } ] }
  claude-then-gemini:
    strategy: ordered
    targets:
      - { provider: claude, model: claude-busy }
      - { provider: gem, model: gemini-2.5-flash }
`;

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city'],
      additionalProperties: false,
    },
  },
};

beforeAll(async () => {
  [anthropicFake, geminiFake, openaiFake] = await Promise.all([startFakeAnthropic(), startFakeGemini(), startFakeOpenAI()]);
  gw = await startInProcess({ config: config() });
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
});
afterAll(async () => {
  await gw?.stop();
  await Promise.all([anthropicFake?.close(), geminiFake?.close(), openaiFake?.close()]);
});
beforeEach(() => {
  anthropicFake.reset();
  geminiFake.reset();
  openaiFake.reset();
});

describe('OpenAI clients talking to Claude, Gemini and Azure through the gateway', () => {
  test('a Claude answer arrives as an OpenAI completion, and Anthropic got a well-formed Messages request', async () => {
    anthropicFake.on('*', { usage: { input_tokens: 20, output_tokens: 7, cache_read_input_tokens: 100 } });
    const completion = await openai.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
      temperature: 1.4,
      frequency_penalty: 0.5,
    });
    expect(completion.choices[0].message.content).toBe('reply from claude-sonnet-4-5');
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 7, total_tokens: 127, prompt_tokens_details: { cached_tokens: 100 } });
    const sent = anthropicFake.calls[0];
    expect(sent.headers['x-api-key']).toBe('sk-ant-gateway-key');
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.body).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 64000, system: [{ type: 'text', text: 'Be brief.' }], temperature: 1 });
  });

  test('a Gemini answer arrives as an OpenAI completion, and Gemini got a well-formed generateContent request', async () => {
    const completion = await openai.chat.completions.create({
      model: 'gemini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
      max_tokens: 50,
      user: 'someone',
    });
    expect(completion.choices[0].message.content).toBe('reply from gemini-2.5-flash');
    const sent = geminiFake.calls[0];
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe('AIza-gateway-key');
    expect(sent.body).toMatchObject({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, generationConfig: { maxOutputTokens: 50 } });
  });

  test.each([
    ['claude', () => anthropicFake.on('*', { toolUse: { name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } } })],
    ['gemini', () => geminiFake.on('*', { functionCall: { name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } } })],
  ])('a streamed tool call through %s is assembled by the OpenAI SDK into one call with valid JSON arguments', async (model, arrange) => {
    arrange();
    const stream = openai.chat.completions.stream({ model, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weatherTool] });
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0].message.tool_calls ?? [];
    expect(calls).toHaveLength(1);
    const call = calls[0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(call.id).toBeTruthy();
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris', unit: 'celsius' });
    expect(final.choices[0].finish_reason).toBe('tool_calls');
  });

  test('an Azure deployment is called by deployment URL, api-version and api-key', async () => {
    const completion = await openai.chat.completions.create({ model: 'azure', messages: [{ role: 'user', content: 'Hi' }], logprobs: true });
    expect(completion.choices[0].message.content).toBe('reply from gpt4o-deployment');
    const sent = openaiFake.calls[0];
    expect(sent.path).toBe('/openai/deployments/gpt4o-deployment/chat/completions?api-version=2024-10-21');
    expect(sent.headers['api-key']).toBe('azure-gateway-key');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toMatchObject({ logprobs: true });
  });

  test('a streamed tool call through azure is assembled by the OpenAI SDK', async () => {
    openaiFake.on('gpt4o-deployment', { toolCall: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } });
    const final = await openai.chat.completions
      .stream({ model: 'azure', messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool] })
      .finalChatCompletion();
    const call = (final.choices[0].message.tool_calls ?? [])[0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris', unit: 'celsius' });
  });

  test.each(['claude', 'gemini'])('a full tool round trip through %s is accepted by the provider', async (model) => {
    const completion = await openai.chat.completions.create({
      model,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c":18}' },
      ],
    });
    expect(completion.choices[0].message.content).toMatch(/^reply from/);
  });

  test('streamed text reports usage to a client that asked for it', async () => {
    const stream = await openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('reply from claude-sonnet-4-5');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  test('an overloaded Claude (529) falls over to Gemini', async () => {
    anthropicFake.on('claude-busy', { status: 529 });
    const res = await openai.chat.completions.create({ model: 'claude-then-gemini', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(res.data.choices[0].message.content).toBe('reply from gemini-2.5-flash');
    expect(res.response.headers.get('x-switchyard-provider')).toBe('gem');
    expect(anthropicFake.callsFor('claude-busy').length).toBeGreaterThanOrEqual(1);
  });

  test('an overloaded error event right after message_start fails a stream over to Gemini, unseen by the client', async () => {
    anthropicFake.on('claude-busy', { streamErrorAfterDeltas: 0 });
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'claude-then-gemini', messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('reply from gemini-2.5-flash');
    expect(response.headers.get('x-switchyard-provider')).toBe('gem');
  });

  test("a request Claude cannot express is the client's 400, not a gateway failure", async () => {
    const err = await openai.chat.completions.create({ model: 'claude', n: 2, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain('n > 1');
    expect(anthropicFake.calls).toHaveLength(0);
  });

  test('a prompt too long for Claude is a 400 context_length_exceeded', async () => {
    anthropicFake.on('*', { status: 400, errorMessage: 'prompt is too long: 210000 tokens > 200000 maximum' });
    const err = await openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('context_length_exceeded');
  });

  test('Gemini RESOURCE_EXHAUSTED reaches the client as a 429 with retry-after', async () => {
    geminiFake.on('*', { status: 429, retryDelay: '9s' });
    const err = await openai.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('9');
  });

  test('Anthropic rejecting the gateway key is a 502 that names the provider, not a 401 for the client', async () => {
    anthropicFake.on('*', { status: 401, errorMessage: 'invalid x-api-key' });
    const err = await openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((err as Error).message).toContain('claude');
  });

  test('an overloaded error event in the middle of a Claude stream ends the OpenAI stream with an error', async () => {
    anthropicFake.on('*', { reply: 'one two three four', streamErrorAfterDeltas: 2, chunkDelayMs: 30 });
    const stream = await openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    const consume = async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    };
    await expect(consume()).rejects.toThrow();
    expect(text).toBe('one two ');
  });

  test('a Gemini error before the first chunk fails over like any failed attempt', async () => {
    geminiFake.on('*', { streamErrorAfterChunks: 0, reply: 'never sent' });
    const err = await openai.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'Hi' }], stream: true }).catch((e: unknown) => e);
    // The only target failed before committing, so the client gets a clean HTTP error instead of a broken stream.
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain('gem/gemini-2.5-flash');
  });
});

describe('Anthropic clients talking to any alias through POST /v1/messages', () => {
  test.each(['gpt', 'gemini', 'claude'])('the Anthropic SDK gets an Anthropic message from alias %s', async (model) => {
    const message = await anthropic.messages.create({ model, max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Hello' }] });
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.model).toBe(model);
    expect(message.content[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/^reply from /) });
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  test.each([
    ['gpt', () => openaiFake.on('*', { toolCall: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } })],
    ['gemini', () => geminiFake.on('*', { functionCall: { name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } } })],
    ['claude', () => anthropicFake.on('*', { toolUse: { name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } } })],
  ])('a streamed tool use from alias %s is assembled by the Anthropic SDK', async (model, arrange) => {
    arrange();
    const stream = anthropic.messages.stream({
      model,
      max_tokens: 200,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
    });
    const final = await stream.finalMessage();
    const toolUse = final.content.find((b) => b.type === 'tool_use');
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } });
    expect(final.stop_reason).toBe('tool_use');
  });

  test('streamed text arrives as Anthropic events with usage in message_delta', async () => {
    const stream = anthropic.messages.stream({ model: 'gpt', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });
    const seen: string[] = [];
    stream.on('streamEvent', (ev) => seen.push(ev.type));
    const final = await stream.finalMessage();
    expect(final.content).toHaveLength(1);
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'reply from gpt-4o-mini' });
    expect(seen[0]).toBe('message_start');
    expect(seen.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  test('a tool result sent back through the front door reaches the OpenAI backend as a tool message', async () => {
    await anthropic.messages.create({
      model: 'gpt',
      max_tokens: 50,
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' }] },
      ],
    });
    expect(openaiFake.calls[0].body?.messages).toEqual([
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
    ]);
  });

  test("malformed requests are rejected the way Anthropic rejects them, in Anthropic's error shape", async () => {
    const post = (body: unknown) =>
      fetch(`${gw.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify(body),
      });
    const noMax = await post({ model: 'gpt', messages: [{ role: 'user', content: 'Hi' }] });
    expect(noMax.status).toBe(400);
    expect(await noMax.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
    const systemRole = await post({
      model: 'gpt',
      max_tokens: 5,
      messages: [
        { role: 'system', content: 'x' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(((await systemRole.json()) as { error: { message: string } }).error.message).toContain('Unexpected role "system"');
    expect(openaiFake.calls).toHaveLength(0);
  });

  test('an error after the stream started reaches the Anthropic SDK as an error event', async () => {
    anthropicFake.on('*', { reply: 'one two three four', streamErrorAfterDeltas: 2, chunkDelayMs: 30 });
    const stream = anthropic.messages.stream({ model: 'claude', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });
    let text = '';
    stream.on('text', (t) => {
      text += t;
    });
    await expect(stream.finalMessage()).rejects.toThrow(/failed/);
    expect(text).toBe('one two ');
  });

  test('an unknown alias is an Anthropic not_found_error the SDK understands', async () => {
    const err = await anthropic.messages.create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect((err as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  test('an upstream rate limit reaches the Anthropic SDK as a rate_limit_error', async () => {
    openaiFake.on('*', { status: 429, headers: { 'retry-after': '5' } });
    const err = await anthropic.messages.create({ model: 'gpt', max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
  });
});

describe("the front door under the gateway's own plugins", () => {
  let guarded: InProcessGateway;
  const client = (apiKey: string) => new Anthropic({ baseURL: guarded.url, apiKey, maxRetries: 0 });

  beforeAll(async () => {
    guarded = await startInProcess({
      config: `${config()}
plugins:
  - use: auth
    keys:
      - { name: team-a, key: "sk-team-a-secret-123456", models: [gpt] }
  - use: cache
    store: memory
`,
    });
  });
  afterAll(async () => {
    await guarded?.stop();
  });

  test('an Anthropic SDK client authenticates with its gateway key sent as x-api-key', async () => {
    const message = await client('sk-team-a-secret-123456').messages.create({ model: 'gpt', max_tokens: 20, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'reply from gpt-4o-mini' });
    // The client's key stays at the gateway; the upstream sees the provider's key.
    expect(openaiFake.calls[0].headers.authorization).toBe('Bearer sk-openai-gateway-key');
  });

  test('a cached answer is replayed in Anthropic format, as JSON and as a stream', async () => {
    const params = { model: 'gpt', max_tokens: 20, messages: [{ role: 'user' as const, content: 'cache me' }] };
    await client('sk-team-a-secret-123456').messages.create(params);
    const { data, response } = await client('sk-team-a-secret-123456').messages.create(params).withResponse();
    expect(response.headers.get('x-switchyard-cache')).toBe('hit');
    expect(data.content[0]).toMatchObject({ type: 'text', text: 'reply from gpt-4o-mini' });
    const streamed = await client('sk-team-a-secret-123456').messages.stream(params).finalMessage();
    expect(streamed.content[0]).toMatchObject({ type: 'text', text: 'reply from gpt-4o-mini' });
    expect(openaiFake.calls).toHaveLength(1);
  });

  test('a wrong key and a forbidden alias come back as Anthropic authentication and permission errors', async () => {
    await expect(client('sk-wrong').messages.create({ model: 'gpt', max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] })).rejects.toBeInstanceOf(
      Anthropic.AuthenticationError,
    );
    await expect(
      client('sk-team-a-secret-123456').messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] }),
    ).rejects.toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(anthropicFake.calls).toHaveLength(0);
  });
});
