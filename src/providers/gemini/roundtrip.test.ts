/** The adapter against the fake Gemini API over real HTTP: what we send is accepted, what we get back parses. */
import { startFakeGemini, type FakeGemini } from '../../testing/fake-gemini';
import { assembleChunks, translateTranscript } from '../../testing/stream-transcript';
import { upstreamCall } from '../../testing/upstream-call';
import type { ChatRequest } from '../openai-types';
import type { HttpRequestSpec } from '../../upstream/http-spec';
import { UpstreamFailure } from '../../upstream/http-spec';
import { geminiAdapter } from './index';

let fake: FakeGemini;
beforeAll(async () => {
  fake = await startFakeGemini();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const send = (spec: HttpRequestSpec) => fetch(spec.url, { method: spec.method, headers: spec.headers, body: spec.body });
const callFor = (stream = false, apiKey = 'AIza-test') =>
  upstreamCall({ api: 'gemini', name: 'gem', model: 'gemini-2.5-flash', baseUrl: fake.url, apiKey, stream });

const conversation: ChatRequest = {
  model: 'gemini-2.5-flash',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: '18C' },
  ],
  max_tokens: 100,
  user: 'u1',
  response_format: {
    type: 'json_schema',
    json_schema: { name: 'x', schema: { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } } },
  },
  tools: [
    {
      type: 'function',
      function: { name: 'get_weather', parameters: { $schema: 'x', type: 'object', additionalProperties: false, properties: { city: { type: 'string' } } } },
    },
  ],
};

describe('gemini adapter against the fake Gemini API', () => {
  it('sends an OpenAI conversation with system prompt, tool round, strict schemas and OpenAI-only fields that Gemini accepts', async () => {
    const res = await send(geminiAdapter.buildChatRequest(conversation, callFor()));
    expect(res.status).toBe(200);
    // The schema constrains the answer: JSON that follows it.
    expect(JSON.parse(geminiAdapter.parseChatResponse(await res.json(), callFor()).choices[0].message.content!)).toEqual({ a: 'example' });
  });

  it('is rejected like the real API for unknown fields, and an invalid key is a credential problem', async () => {
    const spec = geminiAdapter.buildChatRequest(conversation, callFor());
    const r1 = await send({ ...spec, body: JSON.stringify({ ...JSON.parse(spec.body ?? '{}'), messages: [] }) });
    expect(r1.status).toBe(400);
    expect(((await r1.json()) as { error: { message: string } }).error.message).toContain('Unknown name "messages"');
    const r2 = await send(geminiAdapter.buildChatRequest(conversation, callFor(false, 'invalid')));
    expect(geminiAdapter.parseError(r2.status, await r2.text(), {}, callFor().provider)).toMatchObject({ status: 502, credentialProblem: true });
  });

  it('assembles a streamed function call into one tool call with valid JSON arguments', async () => {
    fake.on('*', { functionCall: { name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } } });
    const res = await send(geminiAdapter.buildChatRequest({ ...conversation, stream: true }, callFor(true)));
    const translator = geminiAdapter.createStreamTranslator(callFor(true));
    const assembled = assembleChunks(translateTranscript(translator, await res.text()));
    expect(translator.done).toBe(true);
    expect(assembled.toolCalls).toHaveLength(1);
    expect(JSON.parse(assembled.toolCalls[0].function.arguments)).toEqual({ city: 'Paris', unit: 'celsius' });
    expect(assembled.finishReason).toBe('tool_calls');
  });

  it('maps an injected RESOURCE_EXHAUSTED to a retryable 429 with the RetryInfo delay, and a mid-stream error to a failure', async () => {
    fake.on('*', { status: 429, retryDelay: '3s' }, 1);
    const r = await send(geminiAdapter.buildChatRequest(conversation, callFor()));
    expect(geminiAdapter.parseError(r.status, await r.text(), Object.fromEntries(r.headers), callFor().provider)).toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 3000,
    });

    fake.on('*', { streamErrorAfterChunks: 1, reply: 'one two three' }, 1);
    const s = await send(geminiAdapter.buildChatRequest({ ...conversation, stream: true }, callFor(true)));
    const text = await s.text();
    expect(() => translateTranscript(geminiAdapter.createStreamTranslator(callFor(true)), text)).toThrow(UpstreamFailure);
  });
});
