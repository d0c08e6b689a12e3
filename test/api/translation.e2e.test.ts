/**
 * What real SDKs need from the chat translation, through the real gateway against strict fakes: structured output
 * (`openai` SDK `chat.completions.parse()`) from Anthropic and Gemini, `reasoning_effort` as Anthropic thinking
 * and Gemini thinkingConfig, Anthropic's signed thinking round-tripped through `/v1/messages` (`@anthropic-ai/sdk`)
 * and through OpenAI-shaped `reasoning_content` / `reasoning_signature`, OpenAI-only fields dropped for Anthropic,
 * tool-call ids that move between providers (Gemini's thought signature out of band, the sentinel for calls
 * Gemini did not make), and Gemini embeddings.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { fakeThinkingSignature } from '../../src/testing/fake-anthropic';
import { gatewayWithBackends } from './backends';

let openai: OpenAI;
let anthropic: Anthropic;

const config = () => `
providers:
  claude:  { api: anthropic, base_url: "${up.anthropic.url}", api_key: "sk-ant-gateway-key" }
  # Anthropic's SDK convention: the base URL without /v1.
  claude-root: { api: anthropic, base_url: "${up.anthropic.url.replace(/\/v1$/, '')}", api_key: "sk-ant-gateway-key" }
  gem:     { api: gemini, base_url: "${up.gemini.url}", api_key: "AIza-gateway-key" }
  gpt:     { api: openai, base_url: "${up.openai.url}", api_key: "sk-openai-gateway-key" }
models:
  claude:      { targets: [ { provider: claude, model: claude-sonnet-4-5 } ] }
  claude-root: { targets: [ { provider: claude-root, model: claude-sonnet-4-5 } ] }
  gemini:      { targets: [ { provider: gem, model: gemini-2.5-flash } ] }
  gemini3:     { targets: [ { provider: gem, model: gemini-3-pro-preview } ] }
  gpt:         { targets: [ { provider: gpt, model: gpt-4o-mini } ] }
  gpt5:        { targets: [ { provider: gpt, model: gpt-5-mini } ] }
  embed:       { targets: [ { provider: gem, model: gemini-embedding-001 } ] }
`;

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

const up = gatewayWithBackends(config);
beforeAll(() => {
  openai = new OpenAI({ baseURL: `${up.gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: up.gw.url, apiKey: 'client-key', maxRetries: 0 });
});

const personFormat = {
  type: 'json_schema' as const,
  json_schema: {
    name: 'person',
    strict: true,
    schema: {
      type: 'object',
      properties: { name: { type: 'string' }, age: { type: 'integer' }, role: { type: 'string', enum: ['admin', 'user'] } },
      required: ['name', 'age', 'role'],
      additionalProperties: false,
    },
  },
};

describe('structured output', () => {
  test.each(['claude', 'gemini'])('chat.completions.parse() gets valid JSON back from %s', async (model) => {
    const completion = await openai.chat.completions.parse({
      model,
      messages: [{ role: 'user', content: 'John is 42 and an admin.' }],
      response_format: personFormat,
    });
    expect(completion.choices[0].message.parsed).toEqual({ name: 'example', age: 1, role: 'admin' });
  });

  test('Anthropic gets its native structured outputs (output_config.format) with the schema', async () => {
    await openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }], response_format: personFormat });
    expect(up.anthropic.calls[0].body?.output_config).toEqual({ format: { type: 'json_schema', schema: personFormat.json_schema.schema } });
  });

  test('a schema that leaves objects open is closed for Anthropic, which refuses open ones', async () => {
    const open = {
      type: 'json_schema' as const,
      json_schema: { name: 'loose', schema: { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' } } } } },
    };
    const completion = await openai.chat.completions.parse({ model: 'claude', messages: [{ role: 'user', content: 'Tags?' }], response_format: open });
    expect(completion.choices[0].message.parsed).toEqual({ tags: ['example'] });
    expect(up.anthropic.calls[0].body?.output_config).toMatchObject({ format: { schema: { additionalProperties: false } } });
  });

  test('json_object asks Anthropic for one JSON object in the system prompt (it has no JSON mode)', async () => {
    up.anthropic.on('*', { reply: '{"ok":true}' });
    const completion = await openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Hi' }],
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(completion.choices[0].message.content!)).toEqual({ ok: true });
    expect(JSON.stringify(up.anthropic.calls[0].body?.system)).toContain('one valid JSON object');
  });
});

describe('reasoning', () => {
  test('reasoning_effort becomes an Anthropic thinking budget; the reasoning and its signature reach the client', async () => {
    const completion = await openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Think' }],
      reasoning_effort: 'medium',
      temperature: 0.2,
    });
    const sent = up.anthropic.calls[0].body!;
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
    // Anthropic refuses temperature with thinking: it is left out.
    expect(sent.temperature).toBeUndefined();
    const message = completion.choices[0].message as unknown as Record<string, unknown>;
    expect(message.reasoning_content).toBe('Thinking it over.');
    expect(message.reasoning_signature).toMatch(/^sig_/);
  });

  test('a small max_tokens shrinks the budget to fit; below Anthropic minimum no thinking is asked for', async () => {
    await openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Think' }],
      reasoning_effort: 'high',
      max_completion_tokens: 3000,
    });
    expect(up.anthropic.calls[0].body?.thinking).toEqual({ type: 'enabled', budget_tokens: 2999 });
    await openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Think' }],
      reasoning_effort: 'high',
      max_completion_tokens: 500,
    });
    expect(up.anthropic.calls[1].body?.thinking).toBeUndefined();
  });

  test('streamed reasoning arrives as reasoning_content deltas, the signature as reasoning_signature', async () => {
    const stream = await openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Think' }],
      reasoning_effort: 'low',
      stream: true,
    });
    let reasoning = '';
    let signature = '';
    let content = '';
    for await (const chunk of stream) {
      const delta = (chunk.choices[0]?.delta ?? {}) as Record<string, unknown>;
      reasoning += (delta.reasoning_content as string | undefined) ?? '';
      signature += (delta.reasoning_signature as string | undefined) ?? '';
      content += (delta.content as string | undefined) ?? '';
    }
    expect(reasoning).toBe('Thinking it over.');
    expect(signature).toMatch(/^sig_/);
    expect(content).toBe('reply from claude-sonnet-4-5');
  });

  test('an assistant turn sent back with reasoning_content and reasoning_signature reaches Anthropic as a signed thinking block', async () => {
    const history = [
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: null,
        reasoning_content: 'I need the tool.',
        reasoning_signature: fakeThinkingSignature('I need the tool.'),
        tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_01', content: '18C' },
    ] as OpenAI.Chat.Completions.ChatCompletionMessageParam[];
    await openai.chat.completions.create({ model: 'claude', messages: history, tools: [weatherTool], reasoning_effort: 'low' });
    const assistant = (up.anthropic.calls[0].body!.messages as { role: string; content: Record<string, unknown>[] }[])[1];
    expect(assistant.content[0]).toEqual({ type: 'thinking', thinking: 'I need the tool.', signature: fakeThinkingSignature('I need the tool.') });
    // The same history to OpenAI: the gateway's reasoning fields are left out (OpenAI refuses unknown message fields).
    await openai.chat.completions.create({ model: 'gpt', messages: history, tools: [weatherTool] });
    const toOpenAI = (up.openai.calls[0].body!.messages as Record<string, unknown>[])[1];
    expect(toOpenAI.reasoning_content).toBeUndefined();
    expect(toOpenAI.reasoning_signature).toBeUndefined();
  });

  test('reasoning whose signature does not match its text is refused by Anthropic, and the client gets its words as a 400', async () => {
    const history = [
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: null,
        reasoning_content: 'I changed this text.',
        reasoning_signature: fakeThinkingSignature('I need the tool.'),
        tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_01', content: '18C' },
    ] as OpenAI.Chat.Completions.ChatCompletionMessageParam[];
    const err = await openai.chat.completions
      .create({ model: 'claude', messages: history, tools: [weatherTool], reasoning_effort: 'low' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain('Invalid `signature` in `thinking` block');
  });

  test('a tool loop begun on another provider continues on Claude with reasoning_effort: no thinking is asked for that turn', async () => {
    const history = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '18C' },
    ] as OpenAI.Chat.Completions.ChatCompletionMessageParam[];
    const completion = await openai.chat.completions.create({ model: 'claude', messages: history, tools: [weatherTool], reasoning_effort: 'low' });
    expect(completion.choices[0].message.content).toBe('reply from claude-sonnet-4-5');
    // With thinking on, Anthropic would refuse a tool-result turn whose assistant turn has no thinking block.
    expect(up.anthropic.calls[0].body?.thinking).toBeUndefined();
    // A fresh question in the same conversation thinks again.
    await openai.chat.completions.create({
      model: 'claude',
      messages: [...history, { role: 'assistant', content: 'It is 18C.' }, { role: 'user', content: 'And tomorrow?' }],
      reasoning_effort: 'low',
    });
    expect(up.anthropic.calls[1].body?.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
  });

  test('reasoning_effort becomes thinkingConfig: a budget on Gemini 2.5, a level on Gemini 3; thoughts arrive as reasoning_content', async () => {
    const completion = await openai.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'Think' }], reasoning_effort: 'low' });
    expect((completion.choices[0].message as unknown as Record<string, unknown>).reasoning_content).toBe('Thinking it over.');
    expect(completion.choices[0].message.content).toBe('reply from gemini-2.5-flash');
    expect(up.gemini.calls[0].body?.generationConfig).toMatchObject({ thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } });
    await openai.chat.completions.create({ model: 'gemini3', messages: [{ role: 'user', content: 'Think' }], reasoning_effort: 'high' });
    expect(up.gemini.calls[1].body?.generationConfig).toMatchObject({ thinkingConfig: { thinkingLevel: 'high', includeThoughts: true } });
  });

  test('/v1/messages forwards thinking, and thinking blocks round-trip with their signatures (@anthropic-ai/sdk)', async () => {
    const first = await anthropic.messages.create({
      model: 'claude',
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 2000 },
      messages: [{ role: 'user', content: 'Think' }],
    });
    expect(up.anthropic.calls[0].body?.thinking).toEqual({ type: 'enabled', budget_tokens: 2000 });
    const thinking = first.content.find((b) => b.type === 'thinking');
    expect(thinking).toMatchObject({ type: 'thinking', thinking: 'Thinking it over.' });
    expect((thinking as { signature: string }).signature).toMatch(/^sig_/);
    await anthropic.messages.create({
      model: 'claude',
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 2000 },
      messages: [
        { role: 'user', content: 'Think' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: 'And again' },
      ],
    });
    const replayed = (up.anthropic.calls[1].body!.messages as { content: Record<string, unknown>[] }[])[1].content[0];
    expect(replayed).toEqual({ type: 'thinking', thinking: 'Thinking it over.', signature: (thinking as { signature: string }).signature });
  });

  test('/v1/messages thinking to an OpenAI backend: reasoning_effort for reasoning models, nothing for chat models', async () => {
    const ask = (model: string) =>
      anthropic.messages.create({
        model,
        max_tokens: 4000,
        thinking: { type: 'enabled', budget_tokens: 2000 },
        messages: [{ role: 'user', content: 'Think' }],
      });
    await ask('gpt');
    expect(up.openai.calls[0].body?.thinking).toBeUndefined();
    expect(up.openai.calls[0].body?.reasoning_effort).toBeUndefined();
    await ask('gpt5');
    expect(up.openai.calls[1].body?.thinking).toBeUndefined();
    expect(up.openai.calls[1].body?.reasoning_effort).toBe('low');
  });

  test('/v1/messages streams thinking blocks with their signature (@anthropic-ai/sdk)', async () => {
    const message = await anthropic.messages
      .stream({ model: 'claude', max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 2000 }, messages: [{ role: 'user', content: 'Think' }] })
      .finalMessage();
    expect(message.content[0]).toMatchObject({ type: 'thinking', thinking: 'Thinking it over.' });
    expect((message.content[0] as { signature: string }).signature).toMatch(/^sig_/);
    expect(message.content[1]).toMatchObject({ type: 'text', text: 'reply from claude-sonnet-4-5' });
  });
});

describe('OpenAI-only fields and Anthropic', () => {
  test('metadata, store, service_tier, logit_bias, prediction, modalities, audio and parallel_tool_calls do not make Anthropic answer 400', async () => {
    const completion = await openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Hi' }],
      metadata: { team: 'search', user_id: 'u-7' },
      store: true,
      service_tier: 'flex',
      logit_bias: { '50256': -100 },
      prediction: { type: 'content', content: 'Hello' },
      modalities: ['text'],
      parallel_tool_calls: true,
      seed: 3,
      logprobs: true,
      top_logprobs: 2,
      presence_penalty: 0.1,
    } as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming);
    expect(completion.choices[0].message.content).toBe('reply from claude-sonnet-4-5');
    const sent = up.anthropic.calls[0].body!;
    expect(sent.metadata).toEqual({ user_id: 'u-7' });
    expect(sent.service_tier).toBeUndefined();
  });

  test('`user` is Anthropic metadata.user_id', async () => {
    await openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }], user: 'alice' });
    expect(up.anthropic.calls[0].body?.metadata).toEqual({ user_id: 'alice' });
  });

  test('the strict fake refuses what Anthropic refuses (unknown metadata keys), so the test above can fail', async () => {
    const res = await fetch(`${up.anthropic.url}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], metadata: { team: 'a' } }),
    });
    expect(res.status).toBe(400);
  });
});

describe('tool-call ids between providers', () => {
  test('a Gemini tool call has a short portable id, and the next turn to Anthropic is accepted', async () => {
    up.gemini.on('*', { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, 1);
    const first = await openai.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool] });
    const call = first.choices[0].message.tool_calls![0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(call.id).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    const next = await openai.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: call.function }] },
        { role: 'tool', tool_call_id: call.id, content: '18C' },
      ],
      tools: [weatherTool],
    });
    expect(next.choices[0].message.content).toBe('reply from claude-sonnet-4-5');
  });

  test('the thought signature returns to Gemini 3 from the gateway store, though the client sent back only id, name and arguments', async () => {
    up.gemini.on('*', { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, 1);
    const first = await openai.chat.completions.create({ model: 'gemini3', messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool] });
    const call = first.choices[0].message.tool_calls![0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(JSON.stringify(call)).toContain('ZmFrZS1zaWduYXR1cmU='); // extra_content.google.thought_signature
    await openai.chat.completions.create({
      model: 'gemini3',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: call.function }] },
        { role: 'tool', tool_call_id: call.id, content: '18C' },
      ],
      tools: [weatherTool],
    });
    const model = (up.gemini.calls[1].body!.contents as { role: string; parts: Record<string, unknown>[] }[])[1];
    expect(model.parts[0].thoughtSignature).toBe('ZmFrZS1zaWduYXR1cmU=');
  });

  test('a tool call another provider made (a long foreign id) reaches Gemini 3 with the sentinel and OpenAI with a short id', async () => {
    const foreign = `call_${'x'.repeat(60)}+/=`;
    const history: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: foreign, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: foreign, content: '18C' },
    ];
    const viaGemini = await openai.chat.completions.create({ model: 'gemini3', messages: history, tools: [weatherTool] });
    expect(viaGemini.choices[0].message.content).toBe('reply from gemini-3-pro-preview');
    const part = (up.gemini.calls[0].body!.contents as { parts: Record<string, unknown>[] }[])[1].parts[0];
    expect(part.thoughtSignature).toBe('skip_thought_signature_validator');

    await openai.chat.completions.create({ model: 'gpt', messages: history, tools: [weatherTool] });
    const sent = up.openai.calls[0].body!.messages as { tool_calls?: { id: string }[]; tool_call_id?: string }[];
    expect(sent[1].tool_calls![0].id.length).toBeLessThanOrEqual(40);
    expect(sent[2].tool_call_id).toBe(sent[1].tool_calls![0].id);

    await openai.chat.completions.create({ model: 'claude', messages: history, tools: [weatherTool] });
    const toClaude = up.anthropic.calls[0].body!.messages as { content: { id?: string; tool_use_id?: string }[] }[];
    expect(toClaude[1].content[0].id).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(toClaude[2].content[0].tool_use_id).toBe(toClaude[1].content[0].id);
  });

  test('the strict fake Gemini refuses a Gemini 3 function call without a signature', async () => {
    const res = await fetch(`${up.gemini.url}/models/gemini-3-pro-preview:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' },
      body: JSON.stringify({
        contents: [
          { role: 'user', parts: [{ text: 'x' }] },
          { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'f', response: {} } }] },
        ],
      }),
    });
    expect(res.status).toBe(400);
  });
});

describe('Gemini embeddings', () => {
  test('are served through batchEmbedContents', async () => {
    const res = await openai.embeddings.create({ model: 'embed', input: ['hello', 'hi'], dimensions: 4, encoding_format: 'float' });
    expect(res.data).toHaveLength(2);
    expect(res.data[0].embedding).toEqual([5, 104, 0.2, 0.3]);
    expect(res.data[1].embedding[0]).toBe(2);
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    expect(up.gemini.calls[0].path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
  });

  test('base64 encoding is float32 little-endian, as OpenAI sends it', async () => {
    const res = await openai.embeddings.create({ model: 'embed', input: 'hello', dimensions: 3, encoding_format: 'float' });
    expect(res.data[0].embedding).toEqual([5, 104, 0.2]);
    // The SDK asks for base64 by default and decodes it.
    const decoded = await openai.embeddings.create({ model: 'embed', input: 'hello', dimensions: 3 });
    expect(decoded.data[0].embedding.map((v) => Math.round(v * 100) / 100)).toEqual([5, 104, 0.2]);
  });

  test('token-id input is refused with a 400 for Gemini', async () => {
    const err = await openai.embeddings.create({ model: 'embed', input: [1, 2, 3] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toMatch(/Gemini embeds text only/);
  });
});

describe('Anthropic base_url', () => {
  test('works without /v1 as well as with it', async () => {
    const completion = await openai.chat.completions.create({ model: 'claude-root', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0].message.content).toBe('reply from claude-sonnet-4-5');
    expect(up.anthropic.calls[0].path).toBe('/v1/messages');
  });
});

describe('/v1/messages limits', () => {
  test('more than 4 stop_sequences are accepted, as Anthropic accepts them', async () => {
    await anthropic.messages.create({
      model: 'claude',
      max_tokens: 50,
      stop_sequences: ['a', 'b', 'c', 'd', 'e', 'f'],
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(up.anthropic.calls[0].body?.stop_sequences).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });
});

describe('/v1/messages prompt caching and documents', () => {
  test('cache marks on system, text and document blocks, and the document itself, reach Anthropic as the client sent them', async () => {
    const pdf = Buffer.from('%PDF-1.4 figures').toString('base64');
    await anthropic.messages.create({
      model: 'claude',
      max_tokens: 50,
      system: [
        { type: 'text', text: 'You are an analyst.' },
        { type: 'text', text: 'Long shared instructions.', cache_control: { type: 'ephemeral', ttl: '1h' } },
      ],
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              source: { type: 'base64', media_type: 'application/pdf', data: pdf },
              title: 'report.pdf',
              cache_control: { type: 'ephemeral' },
            },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain notes' }, title: 'notes' },
            { type: 'text', text: 'Summarise.', cache_control: { type: 'ephemeral' } },
          ],
        },
      ],
    });
    const body = up.anthropic.calls[0].body as { system: unknown[]; messages: { content: unknown[] }[] };
    expect(body.system).toEqual([
      { type: 'text', text: 'You are an analyst.' },
      { type: 'text', text: 'Long shared instructions.', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ]);
    expect(body.messages[0].content).toEqual([
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf }, title: 'report.pdf', cache_control: { type: 'ephemeral' } },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain notes' }, title: 'notes' },
      { type: 'text', text: 'Summarise.', cache_control: { type: 'ephemeral' } },
    ]);
  });

  test('a document by URL is refused clearly, in Anthropic shape', async () => {
    const err = await anthropic.messages
      .create({
        model: 'claude',
        max_tokens: 50,
        messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'url', url: 'https://example.invalid/a.pdf' } }] }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(400);
    expect((err as Error).message).toMatch(/inline/);
    expect(up.anthropic.calls).toHaveLength(0);
  });
});
