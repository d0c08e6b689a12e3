/**
 * POST /v1/responses through the official `openai` SDK (`responses.create`, `responses.stream`), against fake
 * OpenAI (bridged through chat, and native), Anthropic and Gemini upstreams that refuse what the real APIs
 * refuse: text, instructions, tools round trips, structured output, image input, multi-turn with the second
 * turn on another provider, hosted tools refused or served natively, streaming failover and response.failed.
 */
import OpenAI from 'openai';
import { gatewayWithBackends } from './backends';

let client: OpenAI;

const config = () => `
providers:
  claude: { api: anthropic, base_url: "${up.anthropic.url}", api_key: "sk-ant-gateway-key" }
  gem:    { api: gemini, base_url: "${up.gemini.url}", api_key: "AIza-gateway-key" }
  gpt:    { api: openai, base_url: "${up.openai.url}", api_key: "sk-openai-gateway-key" }
  native: { api: openai, base_url: "${up.openai.url}", api_key: "sk-openai-gateway-key", responses: native }
  az:     { api: azure, base_url: "http://127.0.0.1:${up.openai.port}", api_key: "azure-gateway-key", responses: native }
models:
  claude: { targets: [ { provider: claude, model: claude-sonnet-4-5 } ] }
  gemini: { targets: [ { provider: gem, model: gemini-2.5-flash } ] }
  gpt:    { targets: [ { provider: gpt, model: gpt-4o-mini } ] }
  native: { targets: [ { provider: native, model: gpt-4.1-mini } ] }
  azure:  { targets: [ { provider: az, model: my-gpt-deployment } ] }
  claude-then-native:
    strategy: ordered
    targets:
      - { provider: claude, model: claude-sonnet-4-5 }
      - { provider: native, model: gpt-4.1-mini }
  gpt-then-claude:
    strategy: ordered
    targets:
      - { provider: gpt, model: gpt-flaky }
      - { provider: claude, model: claude-sonnet-4-5 }
`;

const weather: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

const up = gatewayWithBackends(config);
beforeAll(() => {
  client = new OpenAI({ baseURL: `${up.gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
});

/** The one upstream request each backend got, and what its system prompt and last user text were. */
const upstreams = {
  claude: () => {
    const body = up.anthropic.calls[0].body!;
    return { body, system: JSON.stringify(body.system ?? ''), model: 'claude-sonnet-4-5' };
  },
  gemini: () => {
    const body = up.gemini.calls[0].body!;
    return { body, system: JSON.stringify(body.systemInstruction ?? ''), model: 'gemini-2.5-flash' };
  },
  gpt: () => {
    const body = up.openai.calls[0].body!;
    return { body, system: JSON.stringify((body.messages as { role: string }[]).filter((m) => m.role === 'system')), model: 'gpt-4o-mini' };
  },
  native: () => {
    const body = up.openai.calls[0].body!;
    return { body, system: JSON.stringify(body.instructions ?? ''), model: 'gpt-4.1-mini' };
  },
};

describe.each(['claude', 'gemini', 'gpt', 'native'] as const)('responses.create and responses.stream served by %s', (alias) => {
  test('a text answer is a complete Response object, and the instructions reach the backend as its system prompt', async () => {
    const r = await client.responses.create({ model: alias, instructions: 'Answer in French.', input: 'Say hello', metadata: { ticket: 'T-1' } });
    const sent = upstreams[alias]();
    expect(r.output_text).toBe(`reply from ${sent.model}`);
    expect(r.id).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(r).toMatchObject({
      object: 'response',
      status: 'completed',
      model: alias,
      instructions: 'Answer in French.',
      metadata: { ticket: 'T-1' },
      error: null,
    });
    expect(r.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(r.usage!.input_tokens).toBeGreaterThan(0);
    expect(r.usage!.total_tokens).toBe(r.usage!.input_tokens + r.usage!.output_tokens);
    expect(r.usage!.input_tokens_details.cached_tokens).toBe(0);
    expect(sent.system).toContain('Answer in French.');
    expect(JSON.stringify(sent.body)).toContain('Say hello');
  });

  test('a stream tells the whole event sequence, numbered, and assembles to the same answer', async () => {
    const stream = client.responses.stream({ model: alias, input: 'Say hello' });
    const types: string[] = [];
    const numbers: number[] = [];
    for await (const ev of stream) {
      types.push(ev.type);
      numbers.push(ev.sequence_number);
    }
    const final = await stream.finalResponse();
    const model = upstreams[alias]().model;
    expect(final.output_text).toBe(`reply from ${model}`);
    expect(final.status).toBe('completed');
    expect(numbers).toEqual(numbers.map((_, i) => i));
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types).toContain('response.output_text.delta');
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
  });

  test('a tool call comes back as a function_call item, and its output goes back to the backend in the next turn', async () => {
    if (alias === 'claude') up.anthropic.on('*', { toolUse: { name: 'get_weather', input: { city: 'Paris' } } }, 1);
    else if (alias === 'gemini') up.gemini.on('*', { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, 1);
    else up.openai.on('*', { toolCall: { name: 'get_weather', arguments: '{"city":"Paris"}' } }, 1);
    const first = await client.responses.create({ model: alias, input: 'Weather in Paris?', tools: [weather] });
    const call = first.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')!;
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
    expect(JSON.parse(call.arguments)).toEqual({ city: 'Paris' });
    expect(call.call_id).toBeTruthy();

    const second = await client.responses.create({
      model: alias,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":18}' }],
      tools: [weather],
    });
    expect(second.output_text).toMatch(/^reply from /);
    expect(second.previous_response_id).toBe(first.id);
    // The strict fakes refuse a tool result whose call is not in the conversation: the call went back too.
    const calls = alias === 'claude' ? up.anthropic.calls : alias === 'gemini' ? up.gemini.calls : up.openai.calls;
    expect(calls).toHaveLength(2);
    expect(JSON.stringify(calls[1].body)).toContain('temp_c');
    expect(JSON.stringify(calls[1].body)).toContain('Weather in Paris?');
  });

  test('an image input reaches the backend as an image', async () => {
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const r = await client.responses.create({
      model: alias,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is in this picture?' },
            { type: 'input_image', image_url: png, detail: 'auto' },
          ],
        },
      ],
    });
    expect(r.status).toBe('completed');
    const sent = JSON.stringify(upstreams[alias]().body);
    expect(sent).toContain('iVBORw0KGgo');
    if (alias === 'claude') expect(sent).toContain('"media_type":"image/png"');
    if (alias === 'gemini') expect(sent).toContain('"mimeType":"image/png"');
    if (alias === 'gpt') expect(sent).toContain('"image_url"');
    if (alias === 'native') expect(sent).toContain('"input_image"');
  });
});

describe('conversations and structured output', () => {
  test('previous_response_id continues a Claude conversation on Gemini: Gemini gets every earlier turn', async () => {
    const first = await client.responses.create({ model: 'claude', instructions: 'Be brief.', input: 'My name is Ada.' });
    const second = await client.responses.create({ model: 'gemini', previous_response_id: first.id, input: 'What is my name?' });
    expect(second.output_text).toBe('reply from gemini-2.5-flash');
    const contents = up.gemini.calls[0].body!.contents as { role: string; parts: { text?: string }[] }[];
    expect(contents.map((c) => [c.role, c.parts.map((p) => p.text).join('')])).toEqual([
      ['user', 'My name is Ada.'],
      ['model', 'reply from claude-sonnet-4-5'],
      ['user', 'What is my name?'],
    ]);
    // Instructions belong to their turn only, as the specification says.
    expect(up.gemini.calls[0].body!.systemInstruction).toBeUndefined();
  });

  test('a native OpenAI turn continues on Claude, and a Claude turn continues natively', async () => {
    const first = await client.responses.create({ model: 'native', input: 'Remember 42.' });
    const second = await client.responses.create({ model: 'claude', previous_response_id: first.id, input: 'Which number?' });
    const third = await client.responses.create({ model: 'native', previous_response_id: second.id, input: 'And again?' });
    expect(third.output_text).toBe('reply from gpt-4.1-mini');
    expect(JSON.stringify(up.anthropic.calls[0].body!.messages)).toContain('reply from gpt-4.1-mini');
    const nativeInput = up.openai.calls[1].body!.input as { role?: string }[];
    expect(nativeInput.map((i) => i.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    // The gateway keeps the conversation: the backend is asked to store nothing and is never given ids it did not make.
    expect(up.openai.calls[1].body!.store).toBe(false);
    expect(up.openai.calls[1].body!.previous_response_id).toBeUndefined();
  });

  test('store: false keeps nothing, so a later previous_response_id to it is a 400 naming the field', async () => {
    const r = await client.responses.create({ model: 'gpt', input: 'secret', store: false });
    expect((r as unknown as { store: boolean }).store).toBe(false);
    const err = await client.responses.create({ model: 'gpt', previous_response_id: r.id, input: 'next' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('previous_response_id');
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('previous_response_not_found');
  });

  test.each(['gpt', 'gemini', 'native'])('text.format json_schema reaches %s as its structured-output setting', async (alias) => {
    const json = '{"city":"Paris","temp_c":18}';
    up.openai.on('*', { reply: json });
    up.gemini.on('*', { reply: json });
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, temp_c: { type: 'number' } },
      required: ['city', 'temp_c'],
      additionalProperties: false,
    };
    const r = await client.responses.create({
      model: alias,
      input: 'Weather?',
      text: { format: { type: 'json_schema', name: 'weather', schema, strict: true } },
    });
    expect(JSON.parse(r.output_text)).toEqual({ city: 'Paris', temp_c: 18 });
    expect(r.text?.format).toMatchObject({ type: 'json_schema', name: 'weather' });
    const sent = (alias === 'gemini' ? up.gemini : up.openai).calls[0].body!;
    if (alias === 'gpt') expect(sent.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'weather', schema, strict: true } });
    if (alias === 'gemini') expect((sent.generationConfig as Record<string, unknown>).responseMimeType).toBe('application/json');
    if (alias === 'native') expect(sent.text).toEqual({ format: { type: 'json_schema', name: 'weather', schema, strict: true } });
  });

  test('reasoning effort and max_output_tokens become reasoning_effort and max_completion_tokens on a chat backend', async () => {
    const r = await client.responses.create({ model: 'gpt', input: 'Think.', reasoning: { effort: 'low' }, max_output_tokens: 300, temperature: 0.2 });
    expect(r).toMatchObject({ reasoning: { effort: 'low' }, max_output_tokens: 300, temperature: 0.2 });
    expect(up.openai.calls[0].body).toMatchObject({ reasoning_effort: 'low', max_completion_tokens: 300, temperature: 0.2 });
  });
});

describe('what a backend cannot do is refused, naming the field', () => {
  test('a hosted web_search tool on Claude is a 400 naming tools[0].type, and Claude is never called', async () => {
    const err = await client.responses.create({ model: 'claude', input: 'news?', tools: [{ type: 'web_search' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('tools[0].type');
    expect(up.anthropic.calls).toHaveLength(0);
  });

  test('a hosted web_search tool on a native OpenAI backend is served, its call item included', async () => {
    const r = await client.responses.create({ model: 'native', input: 'news?', tools: [{ type: 'web_search' }] });
    expect(r.output.map((o) => o.type)).toEqual(['web_search_call', 'message']);
    expect(up.openai.calls[0].path).toBe('/v1/responses');
  });

  test('on an alias that mixes backends, a hosted tool skips the bridged target and is served by the native one', async () => {
    const r = await client.responses.create({ model: 'claude-then-native', input: 'news?', tools: [{ type: 'web_search' }] });
    expect(r.output.map((o) => o.type)).toEqual(['web_search_call', 'message']);
    expect(up.anthropic.calls).toHaveLength(0);
    // Without a hosted tool the first target serves as usual.
    const plain = await client.responses.create({ model: 'claude-then-native', input: 'hi' });
    expect(plain.output_text).toBe('reply from claude-sonnet-4-5');
  });

  test('Azure OpenAI configured native gets the request at its v1 /responses endpoint with its api-key header', async () => {
    const r = await client.responses.create({ model: 'azure', input: 'hi' });
    expect(r.output_text).toBe('reply from my-gpt-deployment');
    expect(r.model).toBe('azure');
    expect(up.openai.calls[0].path).toBe('/openai/v1/responses');
    expect(up.openai.calls[0].headers['api-key']).toBe('azure-gateway-key');
    expect(up.openai.calls[0].headers.authorization).toBeUndefined();
  });

  test('an unknown parameter and a malformed item are 400s naming them', async () => {
    const unknown = await client.responses.create({ model: 'gpt', input: 'x', colour: 'red' } as never).catch((e: unknown) => e);
    expect((unknown as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('colour');
    const bad = await client.responses
      .create({ model: 'gpt', input: [{ role: 'user', content: [{ type: 'input_image' }] }] } as never)
      .catch((e: unknown) => e);
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('input[0].content[0]');
    expect(up.openai.calls).toHaveLength(0);
  });

  test('an unknown model is a 404 in OpenAI’s shape', async () => {
    const err = await client.responses.create({ model: 'nope', input: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('streams fail over before their first event and fail visibly after it', () => {
  test('an upstream that fails before its first chunk is replaced by the next target, unseen by the client', async () => {
    up.openai.on('gpt-flaky', { status: 503 });
    const stream = client.responses.stream({ model: 'gpt-then-claude', input: 'hi' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('reply from claude-sonnet-4-5');
    expect(up.openai.callsFor('gpt-flaky')).toHaveLength(1);
  });

  test('a stream that breaks after it began ends with response.failed carrying the error', async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    up.openai.on('gpt-flaky', { reply: 'one two three four', streamErrorAfterChunks: 2, holdStreamError: hold });
    const res = await fetch(`${up.gw.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-then-claude', input: 'hi', stream: true }),
    });
    // The error is sent only once the client has seen the stream begin: the gateway has committed by then.
    const reader = res.body!.getReader();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
      if (text.includes('response.output_text.delta')) release();
    }
    const events = text
      .split('\n\n')
      .filter((e) => e.includes('data: '))
      .map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)) as { type: string; response?: { status: string; error: { message: string } | null } });
    expect(events[0].type).toBe('response.created');
    expect(events.map((e) => e.type)).toContain('response.output_text.delta');
    const last = events[events.length - 1];
    expect(last.type).toBe('response.failed');
    expect(last.response).toMatchObject({ status: 'failed' });
    expect(last.response!.error!.message).toBeTruthy();
    expect(up.anthropic.calls).toHaveLength(0);
  });
});
