/**
 * POST /v1/completions (legacy text completions) through the real gateway, driven by the official `openai`
 * client: native to an OpenAI-compatible backend (strict fake /v1/completions), bridged to chat for Anthropic
 * and Gemini (strict fakes), JSON and streams, fallback between the two ways, and the fields a bridged backend
 * cannot serve refused with a 400 that names them.
 */
import OpenAI from 'openai';
import { startFakeAnthropic, type FakeAnthropic } from '../../src/testing/fake-anthropic';
import { startFakeGemini, type FakeGemini } from '../../src/testing/fake-gemini';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';

let anthropicFake: FakeAnthropic;
let geminiFake: FakeGemini;
let openaiFake: FakeOpenAI;
let gw: InProcessGateway;
let openai: OpenAI;

const config = () => `
providers:
  claude: { api: anthropic, base_url: "${anthropicFake.url}", api_key: "sk-ant-gateway-key" }
  gem:    { api: gemini, base_url: "${geminiFake.url}", api_key: "AIza-gateway-key" }
  gpt:    { api: openai, base_url: "${openaiFake.url}", api_key: "sk-openai-gateway-key" }
models:
  instruct: { targets: [ { provider: gpt, model: gpt-3.5-turbo-instruct } ] }
  claude:   { targets: [ { provider: claude, model: claude-sonnet-4-5 } ] }
  gemini:   { targets: [ { provider: gem, model: gemini-2.5-flash } ] }
  instruct-then-claude:
    strategy: ordered
    targets:
      - { provider: gpt, model: instruct-busy }
      - { provider: claude, model: claude-sonnet-4-5 }
`;

beforeAll(async () => {
  [anthropicFake, geminiFake, openaiFake] = await Promise.all([startFakeAnthropic(), startFakeGemini(), startFakeOpenAI()]);
  gw = await startInProcess({ config: config() });
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
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

describe('POST /v1/completions, native to an OpenAI-compatible backend', () => {
  test('the legacy request reaches the backend /completions as sent, and its text_completion comes back', async () => {
    const completion = await openai.completions.create({ model: 'instruct', prompt: 'Say hi', max_tokens: 7, echo: true, logprobs: 1, n: 2 });
    expect(completion.object).toBe('text_completion');
    expect(completion.id).toMatch(/^cmpl-/);
    expect(completion.choices).toHaveLength(2);
    expect(completion.choices[0].text).toBe('Say hicompletion from gpt-3.5-turbo-instruct');
    expect(completion.choices[0].logprobs?.tokens?.length).toBeGreaterThan(0);
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    const sent = openaiFake.calls[0];
    expect(sent.path).toBe('/v1/completions');
    expect(sent.body).toEqual({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi', max_tokens: 7, echo: true, logprobs: 1, n: 2 });
  });

  test('a stream arrives as text_completion chunks; usage only for a client that asked for it', async () => {
    const stream = await openai.completions.create({ model: 'instruct', prompt: 'Tell me', stream: true });
    const chunks: OpenAI.Completions.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.object === 'text_completion')).toBe(true);
    expect(chunks.map((c) => c.choices.map((x) => x.text).join('')).join('')).toBe('completion from gpt-3.5-turbo-instruct');
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
    expect(chunks.some((c) => c.usage)).toBe(false);
    // The gateway asked for usage (cost accounting needs it) although the client did not.
    expect(openaiFake.calls[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });

    const withUsage = await openai.completions.create({ model: 'instruct', prompt: 'Tell me', stream: true, stream_options: { include_usage: true } });
    let usage: OpenAI.Completions.CompletionUsage | undefined;
    for await (const chunk of withUsage) usage ??= chunk.usage;
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });
});

describe('POST /v1/completions, bridged to chat for other backends', () => {
  test.each([
    ['claude', 'reply from claude-sonnet-4-5'],
    ['gemini', 'reply from gemini-2.5-flash'],
  ])('%s gets the prompt as one user message and answers as a text_completion', async (model, reply) => {
    const completion = await openai.completions.create({ model, prompt: ['Line one', 'Line two'], max_tokens: 20, temperature: 0.3, stop: ['END'] });
    expect(completion.object).toBe('text_completion');
    expect(completion.choices[0]).toMatchObject({ text: reply, index: 0, finish_reason: 'stop', logprobs: null });
    if (model === 'claude') {
      expect(anthropicFake.calls[0].body).toMatchObject({
        max_tokens: 20,
        temperature: 0.3,
        stop_sequences: ['END'],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Line one\n\nLine two' }] }],
      });
    } else {
      expect(geminiFake.calls[0].body).toMatchObject({
        contents: [{ role: 'user', parts: [{ text: 'Line one\n\nLine two' }] }],
        generationConfig: { maxOutputTokens: 20, temperature: 0.3, stopSequences: ['END'] },
      });
    }
  });

  test('a bridged stream arrives as text_completion chunks', async () => {
    const stream = await openai.completions.create({ model: 'claude', prompt: 'Hi', stream: true });
    let text = '';
    for await (const chunk of stream) {
      expect(chunk.object).toBe('text_completion');
      text += chunk.choices.map((c) => c.text).join('');
    }
    expect(text).toBe('reply from claude-sonnet-4-5');
  });

  test.each(['echo', 'logprobs', 'suffix', 'best_of'])('%s is refused with a 400 naming it, and nothing is sent', async (field) => {
    const value = field === 'echo' ? true : field === 'suffix' ? 'end' : 2;
    const err = await openai.completions.create({ model: 'claude', prompt: 'Hi', [field]: value } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.message).toContain(`'${field}'`);
    expect(e.message).toContain('provider "claude"');
    expect((e.error as { param?: string }).param).toBe(field);
    expect(anthropicFake.calls).toHaveLength(0);
  });

  test('n > 1 is refused for a bridged backend, clearly', async () => {
    const err = await openai.completions.create({ model: 'gemini', prompt: 'Hi', n: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toMatch(/'n' greater than 1 is only served by OpenAI-compatible backends/);
    expect(geminiFake.calls).toHaveLength(0);
  });

  test('when the native backend fails, the next target serves the request bridged', async () => {
    openaiFake.on('instruct-busy', { status: 503 });
    const completion = await openai.completions.create({ model: 'instruct-then-claude', prompt: 'Hi' });
    expect(completion.choices[0].text).toBe('reply from claude-sonnet-4-5');
    expect(openaiFake.calls[0].path).toBe('/v1/completions');
    expect(anthropicFake.calls).toHaveLength(1);
  });

  test('a malformed body is a 400 in OpenAI words naming the field', async () => {
    const res = await fetch(`${gw.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude', prompt: 42 }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { param: string; message: string } };
    expect(body.error.param).toBe('prompt');
    expect(body.error.message).toMatch(/Invalid type for 'prompt'/);
    const missing = await fetch(`${gw.url}/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"claude"}' });
    expect(missing.status).toBe(400);
  });
});
