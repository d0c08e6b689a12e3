/**
 * AWS Bedrock (`api: bedrock`) through the real gateway (in-process), driven by the official `openai` and
 * `@anthropic-ai/sdk` clients, against a fake Bedrock that verifies every request's SigV4 signature (or Bedrock
 * API key), rejects what Converse rejects, and streams ConverseStream as the binary AWS event stream.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { startFakeBedrock } from '../../src/testing/fake-bedrock';
import { gatewayWithFakes } from '../helpers/rig';

const CLAUDE = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const NOVA = 'amazon.nova-lite-v1:0';
const ENV_KEY = { id: 'AKIAENVIRONMENT0001', secret: 'env-secret-7f3a9c', token: 'env-session-token-1' };
const CONFIG_KEY = { id: 'AKIACONFIGKEY000001', secret: 'config-secret-99' };
const PROFILE_KEY = { id: 'AKIAPROFILEKEY00001', secret: 'profile-secret-42' };
const BEARER = 'ABSKbedrock-api-key-0123456789';

const config = (url: string) => `
retry: { attempts: 2, backoff_ms: 1, max_backoff_ms: 1 }
providers:
  aws:        { api: bedrock, base_url: "${url}", region: us-east-1 }
  aws-config: { api: bedrock, base_url: "${url}", region: us-east-1, access_key_id: "${CONFIG_KEY.id}", secret_access_key: "${CONFIG_KEY.secret}" }
  aws-profile: { api: bedrock, base_url: "${url}", region: us-east-1, profile: team }
  aws-bearer: { api: bedrock, base_url: "${url}", region: us-east-1, api_key: "${BEARER}" }
  aws-wrong-region: { api: bedrock, base_url: "${url}", region: eu-west-1 }
  aws-backup: { api: bedrock, base_url: "${url}", region: us-east-1, api_key: "${BEARER}" }
models:
  claude: { targets: [ { provider: aws, model: "${CLAUDE}" } ] }
  nova:   { targets: [ { provider: aws, model: "${NOVA}" } ] }
  claude-config: { targets: [ { provider: aws-config, model: "${CLAUDE}" } ] }
  claude-profile: { targets: [ { provider: aws-profile, model: "${CLAUDE}" } ] }
  claude-bearer: { targets: [ { provider: aws-bearer, model: "${CLAUDE}" } ] }
  claude-wrong-region: { targets: [ { provider: aws-wrong-region, model: "${CLAUDE}" } ] }
  with-backup:
    strategy: ordered
    targets:
      - { provider: aws, model: "busy-model" }
      - { provider: aws-backup, model: "${NOVA}" }
`;

const rig = gatewayWithFakes(
  {
    fake: () =>
      startFakeBedrock({
        accessKeys: {
          [ENV_KEY.id]: { secret: ENV_KEY.secret, sessionToken: ENV_KEY.token },
          [CONFIG_KEY.id]: { secret: CONFIG_KEY.secret },
          [PROFILE_KEY.id]: { secret: PROFILE_KEY.secret },
        },
        bearerKeys: [BEARER],
      }),
  },
  ({ fake }) => {
    const credentialsDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-aws-'));
    const credentialsFile = path.join(credentialsDir, 'credentials');
    writeFileSync(
      credentialsFile,
      `[default]\naws_access_key_id = AKIAUNUSED\naws_secret_access_key = unused\n\n[team]\naws_access_key_id = ${PROFILE_KEY.id}\naws_secret_access_key = ${PROFILE_KEY.secret}\n`,
    );
    return {
      config: config(fake.url),
      env: {
        AWS_ACCESS_KEY_ID: ENV_KEY.id,
        AWS_SECRET_ACCESS_KEY: ENV_KEY.secret,
        AWS_SESSION_TOKEN: ENV_KEY.token,
        AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
        AWS_CONFIG_FILE: path.join(credentialsDir, 'missing-config'),
        AWS_BEARER_TOKEN_BEDROCK: undefined,
        AWS_PROFILE: undefined,
      },
    };
  },
);

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('OpenAI clients talking to Bedrock', () => {
  test('a Converse answer arrives as an OpenAI completion, signed with the environment credentials', async () => {
    const completion = await rig.openai.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
      temperature: 1.5,
      max_tokens: 50,
      stop: ['END'],
    });
    expect(completion.choices[0].message.content).toBe(`reply from ${CLAUDE}`);
    expect(completion.choices[0].finish_reason).toBe('stop');
    const call = rig.fakes.fake.calls[0];
    expect(call.path).toBe('/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse');
    expect(rig.fakes.fake.authOf(call)).toBe(`sigv4:${ENV_KEY.id}`);
    expect(call.body).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      system: [{ text: 'Be brief.' }],
      inferenceConfig: { maxTokens: 50, temperature: 1, stopSequences: ['END'] },
    });
  });

  test('usage with prompt-cache reads and writes follows the OpenAI usage contract', async () => {
    rig.fakes.fake.on('*', { usage: { inputTokens: 20, outputTokens: 7, cacheReadInputTokens: 100, cacheWriteInputTokens: 30 } });
    const completion = await rig.openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.usage).toMatchObject({
      prompt_tokens: 150,
      completion_tokens: 7,
      total_tokens: 157,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 30 },
    });
  });

  test('cache_control marks on content parts and tools become cachePoint blocks', async () => {
    await rig.openai.chat.completions.create({
      model: 'claude',
      messages: [
        {
          role: 'system',
          content: [{ type: 'text', text: 'Long policy text', cache_control: { type: 'ephemeral' } } as OpenAI.Chat.Completions.ChatCompletionContentPartText],
        },
        {
          role: 'user',
          content: [{ type: 'text', text: 'Question', cache_control: { type: 'ephemeral' } } as OpenAI.Chat.Completions.ChatCompletionContentPartText],
        },
      ],
      tools: [{ ...weatherTool, cache_control: { type: 'ephemeral' } } as OpenAI.Chat.Completions.ChatCompletionTool],
    });
    const body = rig.fakes.fake.calls[0].body as { system: unknown[]; messages: { content: unknown[] }[]; toolConfig: { tools: unknown[] } };
    expect(body.system).toEqual([{ text: 'Long policy text' }, { cachePoint: { type: 'default' } }]);
    expect(body.messages[0].content).toEqual([{ text: 'Question' }, { cachePoint: { type: 'default' } }]);
    expect(body.toolConfig.tools[1]).toEqual({ cachePoint: { type: 'default' } });
  });

  test('images and documents are sent inline as Converse image and document blocks', async () => {
    const completion = await rig.openai.chat.completions.create({
      model: 'claude',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0xLjQ=', filename: 'Q3 report (final).pdf' } },
          ],
        },
      ],
    });
    expect(completion.choices[0].message.content).toContain('reply from');
    const content = (rig.fakes.fake.calls[0].body as { messages: { content: unknown[] }[] }).messages[0].content;
    expect(content).toEqual([
      { text: 'What is in these?' },
      { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } },
      { document: { format: 'pdf', name: 'Q3 report (final)', source: { bytes: 'JVBERi0xLjQ=' } } },
    ]);
  });

  test('an image link is refused with a 400 naming the fix, before anything is sent', async () => {
    const err = await rig.openai.chat.completions
      .create({ model: 'claude', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain('data: URLs');
    expect(rig.fakes.fake.calls).toHaveLength(0);
  });

  test('a tool call round trip: toolUse comes back as tool_calls, and the tool result goes back as toolResult', async () => {
    rig.fakes.fake.on('*', { toolUse: { name: 'get_weather', input: { city: 'Paris' } } }, 1);
    const first = await rig.openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [weatherTool],
      tool_choice: 'required',
    });
    const call = first.choices[0].message.tool_calls?.[0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect((rig.fakes.fake.calls[0].body as { toolConfig: unknown }).toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'get_weather', description: 'Current weather for a city', inputSchema: { json: weatherTool.function.parameters } } }],
      toolChoice: { any: {} },
    });
    const second = await rig.openai.chat.completions.create({
      model: 'claude',
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather in Paris?' }, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '18°C, sunny' }],
    });
    expect(second.choices[0].message.content).toContain('reply from');
    expect((rig.fakes.fake.calls[1].body as { messages: unknown[] }).messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ toolUse: { toolUseId: call.id, name: 'get_weather', input: { city: 'Paris' } } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: call.id, content: [{ text: '18°C, sunny' }] } }] },
    ]);
  });

  test('a ConverseStream arrives as OpenAI chunks, with usage at the end', async () => {
    rig.fakes.fake.on('*', { reply: 'Hello there, streaming friend', usage: { inputTokens: 9, outputTokens: 5, cacheReadInputTokens: 4 } });
    const stream = await rig.openai.chat.completions.create({
      model: 'nova',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello there, streaming friend');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 13, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 4 } });
    expect(rig.fakes.fake.calls[0].path).toBe('/model/amazon.nova-lite-v1%3A0/converse-stream');
  });

  test('streamed tool use arrives as tool_call deltas that assemble into the arguments', async () => {
    rig.fakes.fake.on('*', { toolUse: { name: 'get_weather', input: { city: 'Oslo', unit: 'celsius' } } });
    const stream = await rig.openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Oslo?' }],
      tools: [weatherTool],
      stream: true,
    });
    let args = '';
    let name = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      const tc = chunk.choices[0]?.delta.tool_calls?.[0];
      if (tc?.function?.name) name = tc.function.name;
      args += tc?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ city: 'Oslo', unit: 'celsius' });
    expect(finish).toBe('tool_calls');
  });

  test.each([
    ['max_tokens', 'length'],
    ['stop_sequence', 'stop'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ])('stop reason %s becomes finish_reason %s', async (stopReason, finish) => {
    rig.fakes.fake.on('*', { stopReason });
    const completion = await rig.openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0].finish_reason).toBe(finish);
  });
});

describe('Responses API clients served by Bedrock', () => {
  test('responses.create and a function-call round trip are bridged through Converse', async () => {
    const first = await rig.openai.responses.create({ model: 'claude', instructions: 'Be brief.', input: 'Hi' });
    expect(first.status).toBe('completed');
    expect(first.output_text).toBe(`reply from ${CLAUDE}`);
    expect((rig.fakes.fake.calls[0].body as { system: unknown }).system).toEqual([{ text: 'Be brief.' }]);

    rig.fakes.fake.on('*', { toolUse: { name: 'get_weather', input: { city: 'Rome' } } }, 1);
    const tools = [{ type: 'function' as const, name: 'get_weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
    const asked = await rig.openai.responses.create({ model: 'claude', input: 'Weather in Rome?', tools });
    const call = asked.output.find((o) => o.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather' });
    const answered = await rig.openai.responses.create({
      model: 'claude',
      previous_response_id: asked.id,
      input: [{ type: 'function_call_output', call_id: (call as { call_id: string }).call_id, output: '{"temp_c":21}' }],
      tools,
    });
    expect(answered.status).toBe('completed');
    const sent = rig.fakes.fake.calls.at(-1)!.body as { messages: { role: string; content: Record<string, unknown>[] }[] };
    expect(sent.messages.at(-1)!.content[0]).toHaveProperty('toolResult');
  });
});

describe('Bedrock credentials', () => {
  test('keys in the provider entry sign the request', async () => {
    await rig.openai.chat.completions.create({ model: 'claude-config', messages: [{ role: 'user', content: 'Hi' }] });
    expect(rig.fakes.fake.authOf(rig.fakes.fake.calls[0])).toBe(`sigv4:${CONFIG_KEY.id}`);
  });

  test('a named profile is read from the shared credentials file', async () => {
    await rig.openai.chat.completions.create({ model: 'claude-profile', messages: [{ role: 'user', content: 'Hi' }] });
    expect(rig.fakes.fake.authOf(rig.fakes.fake.calls[0])).toBe(`sigv4:${PROFILE_KEY.id}`);
  });

  test('a Bedrock API key is sent as a bearer token', async () => {
    await rig.openai.chat.completions.create({ model: 'claude-bearer', messages: [{ role: 'user', content: 'Hi' }] });
    expect(rig.fakes.fake.authOf(rig.fakes.fake.calls[0])).toBe('bearer');
  });

  test('a signature for the wrong region is rejected by Bedrock and reported as the gateway credentials problem', async () => {
    const err = await rig.openai.chat.completions
      .create({ model: 'claude-wrong-region', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((err as Error).message).toContain('rejected the gateway');
    expect((err as Error).message).not.toContain(ENV_KEY.secret);
  });
});

describe('Bedrock errors', () => {
  test('ThrottlingException is retried, and the retry answers', async () => {
    rig.fakes.fake.on('*', { exception: 'ThrottlingException' }, 1);
    const completion = await rig.openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0].message.content).toContain('reply from');
    expect(rig.fakes.fake.calls).toHaveLength(2);
  });

  test('ModelNotReadyException is retried', async () => {
    rig.fakes.fake.on('*', { exception: 'ModelNotReadyException' }, 1);
    await rig.openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] });
    expect(rig.fakes.fake.calls).toHaveLength(2);
  });

  // Once every attempt failed, the routing answers with the upstream status where all attempts agree on a 429,
  // 503 when every target was overloaded or unavailable, and 502 all_targets_failed otherwise, naming each attempt's normalised failure.
  test.each([
    ['ThrottlingException', 429, '→ 429 (ThrottlingException'],
    ['ModelNotReadyException', 429, '→ 429 (ModelNotReadyException'],
    ['ServiceUnavailableException', 503, '→ 503 (ServiceUnavailableException'],
    ['AccessDeniedException', 502, "rejected the gateway's credentials (HTTP 403: AccessDeniedException"],
  ])('%s that persists reaches the client as HTTP %d', async (exception, status, summary) => {
    rig.fakes.fake.on('*', { exception });
    const err = await rig.openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
    expect((err as Error).message).toContain(summary);
  });

  test('an over-long prompt is a 400 context_length_exceeded, not retried and not failed over', async () => {
    rig.fakes.fake.on('*', { exception: 'ValidationException', errorMessage: 'Input is too long for requested model.' });
    const err = await rig.openai.chat.completions.create({ model: 'with-backup', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('context_length_exceeded');
    expect(rig.fakes.fake.calls).toHaveLength(1);
  });

  test.each(['ThrottlingException', 'AccessDeniedException', 'ServiceUnavailableException'])('%s fails over to the next target', async (exception) => {
    rig.fakes.fake.on('busy-model', { exception });
    const res = await rig.openai.chat.completions.create({ model: 'with-backup', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(res.data.choices[0].message.content).toBe(`reply from ${NOVA}`);
    expect(res.response.headers.get('x-switchyard-provider')).toBe('aws-backup');
  });

  test('a ConverseStream refused with ThrottlingException before it starts fails over', async () => {
    rig.fakes.fake.on('busy-model', { exception: 'ThrottlingException' });
    const { data: stream, response } = await rig.openai.chat.completions
      .create({ model: 'with-backup', messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(`reply from ${NOVA}`);
    expect(response.headers.get('x-switchyard-provider')).toBe('aws-backup');
  });

  test('an exception frame after content has been streamed ends the client stream with an error', async () => {
    let release!: () => void;
    rig.fakes.fake.on('*', {
      reply: 'one two three four',
      streamExceptionAfterDeltas: 2,
      streamException: 'modelStreamErrorException',
      holdStreamException: new Promise<void>((r) => (release = r)),
    });
    const stream = await rig.openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    const err = await (async () => {
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (text === 'one two ') release();
      }
    })().catch((e: unknown) => e);
    expect(text).toBe('one two ');
    expect(err).toBeInstanceOf(Error);
  });

  test('a throttling exception frame right after messageStart fails a stream over, unseen by the client', async () => {
    rig.fakes.fake.on('busy-model', { streamExceptionAfterDeltas: 0 });
    const { data: stream, response } = await rig.openai.chat.completions
      .create({ model: 'with-backup', messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(`reply from ${NOVA}`);
    expect(response.headers.get('x-switchyard-provider')).toBe('aws-backup');
  });
});

describe('Anthropic clients on /v1/messages served by Bedrock', () => {
  test('a Messages request is answered from Converse, usage included', async () => {
    rig.fakes.fake.on('*', { usage: { inputTokens: 11, outputTokens: 4, cacheReadInputTokens: 50 } });
    const msg = await rig.anthropic.messages.create({ model: 'claude', max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });
    expect(msg.content[0]).toMatchObject({ type: 'text', text: `reply from ${CLAUDE}` });
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage.cache_read_input_tokens).toBe(50);
    expect((rig.fakes.fake.calls[0].body as { system: unknown }).system).toEqual([{ text: 'Be brief.' }]);
  });

  test('a streamed Messages request with a tool is served from ConverseStream', async () => {
    rig.fakes.fake.on('*', { toolUse: { name: 'get_weather', input: { city: 'Rome' } } });
    const stream = rig.anthropic.messages.stream({
      model: 'claude',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Rome?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: 'Rome' } });
  });

  test("a Messages request's cache marks and documents reach Converse as cachePoint blocks and a document", async () => {
    rig.fakes.fake.on('*', { usage: { inputTokens: 11, outputTokens: 4, cacheWriteInputTokens: 900 } });
    const pdf = Buffer.from('%PDF-1.4 quarterly figures').toString('base64');
    const msg = await rig.anthropic.messages.create({
      model: 'claude',
      max_tokens: 64,
      system: [{ type: 'text', text: 'You are a careful analyst.', cache_control: { type: 'ephemeral' } }],
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              source: { type: 'base64', media_type: 'application/pdf', data: pdf },
              title: 'q3 report',
              cache_control: { type: 'ephemeral' },
            },
            { type: 'text', text: 'Summarise the document.' },
          ],
        },
      ],
    });
    expect(msg.usage.cache_creation_input_tokens).toBe(900);
    const body = rig.fakes.fake.calls[0].body as { system: unknown[]; messages: { content: Record<string, unknown>[] }[] };
    expect(body.system).toEqual([{ text: 'You are a careful analyst.' }, { cachePoint: { type: 'default' } }]);
    const content = body.messages[0].content;
    expect(content[0]).toMatchObject({ document: { format: 'pdf', name: 'q3 report', source: { bytes: pdf } } });
    expect(content[1]).toEqual({ cachePoint: { type: 'default' } });
    expect(content[2]).toEqual({ text: 'Summarise the document.' });
  });
});
