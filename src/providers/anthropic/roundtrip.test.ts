/** The adapter against the fake Anthropic API over real HTTP: what we send is accepted, what we get back parses. */
import { startFakeAnthropic, type FakeAnthropic } from '../../testing/fake-anthropic';
import { assembleChunks, translateTranscript } from '../../testing/stream-transcript';
import { upstreamCall } from '../../testing/upstream-call';
import type { ChatRequest } from '../openai-types';
import type { HttpRequestSpec } from '../../upstream/http-spec';
import { UpstreamFailure } from '../../upstream/http-spec';
import { anthropicAdapter } from './index';

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const send = (spec: HttpRequestSpec) => fetch(spec.url, { method: spec.method, headers: spec.headers, body: spec.body });
const callFor = (stream = false) =>
  upstreamCall({ api: 'anthropic', name: 'claude', model: 'claude-sonnet-4-5', baseUrl: fake.url, apiKey: 'sk-ant-test', stream });

const conversation: ChatRequest = {
  model: 'claude-sonnet-4-5',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
  ],
  temperature: 1.5,
  presence_penalty: 0.2,
  tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
};

describe('anthropic adapter against the fake Anthropic API', () => {
  it('sends an OpenAI conversation with a system prompt, a tool round and OpenAI-only fields that Anthropic accepts', async () => {
    const res = await send(anthropicAdapter.buildChatRequest(conversation, callFor()));
    expect(res.status).toBe(200);
    const completion = anthropicAdapter.parseChatResponse(await res.json(), callFor());
    expect(completion.choices[0].message.content).toBe('reply from claude-sonnet-4-5');
    expect(fake.calls[0].headers['x-api-key']).toBe('sk-ant-test');
  });

  it('is rejected like the real API when the request is malformed', async () => {
    const spec = anthropicAdapter.buildChatRequest(conversation, callFor());
    const withoutVersion = { ...spec, headers: { ...spec.headers } };
    delete withoutVersion.headers['anthropic-version'];
    const r1 = await send(withoutVersion);
    expect(r1.status).toBe(400);
    expect(anthropicAdapter.parseError(r1.status, await r1.text(), {}, callFor().provider).message).toBe('anthropic-version: header is required');

    const raw = JSON.parse(spec.body ?? '{}');
    const r2 = await send({ ...spec, body: JSON.stringify({ ...raw, max_tokens: undefined }) });
    expect(((await r2.json()) as { error: { message: string } }).error.message).toBe('max_tokens: Field required');
    const r3 = await send({ ...spec, body: JSON.stringify({ ...raw, messages: [{ role: 'system', content: 'x' }, ...raw.messages] }) });
    expect(((await r3.json()) as { error: { message: string } }).error.message).toContain('Unexpected role "system"');
  });

  it('assembles a streamed tool call into one call with valid JSON arguments', async () => {
    fake.on('*', { toolUse: { name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } } });
    const res = await send(anthropicAdapter.buildChatRequest({ ...conversation, stream: true }, callFor(true)));
    const translator = anthropicAdapter.createStreamTranslator(callFor(true));
    const assembled = assembleChunks(translateTranscript(translator, await res.text()));
    expect(translator.done).toBe(true);
    expect(assembled.toolCalls).toHaveLength(1);
    expect(JSON.parse(assembled.toolCalls[0].function.arguments)).toEqual({ city: 'Paris', unit: 'celsius' });
    expect(assembled.finishReason).toBe('tool_calls');
  });

  it('maps an injected 529 and a mid-stream overloaded error to retryable 503s', async () => {
    fake.on('*', { status: 529 }, 1);
    const r = await send(anthropicAdapter.buildChatRequest(conversation, callFor()));
    expect(anthropicAdapter.parseError(r.status, await r.text(), Object.fromEntries(r.headers), callFor().provider)).toMatchObject({
      status: 503,
      retryable: true,
    });

    fake.on('*', { streamErrorAfterDeltas: 1, reply: 'one two three' }, 1);
    const s = await send(anthropicAdapter.buildChatRequest({ ...conversation, stream: true }, callFor(true)));
    const text = await s.text();
    expect(() => translateTranscript(anthropicAdapter.createStreamTranslator(callFor(true)), text)).toThrow(UpstreamFailure);
  });
});
