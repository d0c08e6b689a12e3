/**
 * One attempt against a real (fake) upstream over the real transport: each way it can fail comes back as an
 * AttemptFailure of the right kind, with the HTTP status only when one arrived.
 */
import type { ResolvedProvider } from './snapshot-types';
import { registerSecrets } from '../observability/redact';
import { AbortFlag } from '../upstream/abort-flag';
import type { ChatRequest } from '../providers/openai-types';
import { adapters } from '../providers/registry';
import { startFakeOpenAI, type FakeOpenAI } from '../testing/fake-openai';
import { upstreamCall } from '../testing/upstream-call';
import { HttpTransport, ProviderPool } from '../upstream/http-transport';
import { AttemptFailure } from './attempt-failure';
import { callChat, callEmbeddings, openChatStream } from './call-target';

const KEY = 'call-target-unit-key-90210';
let fake: FakeOpenAI;
const transports: HttpTransport[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAI();
  registerSecrets([KEY]);
});
afterAll(async () => {
  await Promise.all(transports.map((t) => t.close().catch(() => undefined)));
  await fake.close();
});
beforeEach(() => fake.reset());

function provider(api: 'openai' | 'anthropic', baseUrl: string, timeouts: Partial<ResolvedProvider['timeouts']> = {}): ResolvedProvider {
  const settings = upstreamCall({ api, model: 'm', name: 'up', baseUrl, apiKey: KEY }).provider;
  const pool = new ProviderPool('up', new URL(baseUrl).origin, { connections: 4, connectTimeoutMs: 1000 });
  const transport = new HttpTransport(pool, { maxQueued: 16, queueTimeoutMs: 5000, maxAnswerBytes: 64 << 20, maxBufferedBytes: 256 << 20 });
  transports.push(transport);
  return {
    name: 'up',
    config: {} as ResolvedProvider['config'],
    settings,
    adapter: adapters[api],
    transport,
    available: true,
    missingEnv: [],
    timeouts: { totalMs: 10_000, connectMs: 1000, ...timeouts },
  };
}

const body: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const call = (p: ResolvedProvider, stream = false) => ({ provider: p.settings, model: 'm', stream });

async function failureOf(attempt: Promise<unknown>): Promise<AttemptFailure> {
  const err = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AttemptFailure);
  return err as AttemptFailure;
}

describe('an attempt that fails', () => {
  test('with an HTTP error is a `status` failure carrying that status, its words redacted', async () => {
    fake.on('m', { status: 503, errorMessage: `overloaded, key ${KEY}` }, 1);
    const f = await failureOf(callChat(provider('openai', fake.url), body, call(provider('openai', fake.url)), new AbortFlag(), {}));
    expect(f).toMatchObject({ kind: 'status', upstreamStatus: 503, message: 'overloaded, key [REDACTED]' });
  });

  test('without any answer is a `network` failure with no status', async () => {
    const p = provider('openai', 'http://127.0.0.1:1/v1');
    const f = await failureOf(callChat(p, body, call(p), new AbortFlag(), {}));
    expect(f).toMatchObject({ kind: 'network', upstreamStatus: undefined, message: 'up: connection refused' });
  });

  test('waiting for headers past first_byte_timeout_ms is a `first_byte_timeout`', async () => {
    fake.on('m', { hang: true }, 1);
    const p = provider('openai', fake.url, { firstByteMs: 30 });
    const f = await failureOf(callChat(p, body, call(p), new AbortFlag(), {}));
    expect(f).toMatchObject({ kind: 'first_byte_timeout', upstreamStatus: undefined, timedOut: true });
  });

  test('a stream that answers 200 but sends no chunk in time is a `first_byte_timeout` after a 200', async () => {
    fake.on('m', { firstChunkDelayMs: 10_000 }, 1);
    // Long enough for the headers to arrive first on a slow machine; the first chunk never comes in time.
    const p = provider('openai', fake.url, { firstByteMs: 1000 });
    const f = await failureOf(openChatStream(p, { ...body, stream: true }, call(p, true), new AbortFlag(), {}));
    expect(f).toMatchObject({ kind: 'first_byte_timeout', upstreamStatus: 200 });
  });

  test('with an error event before the first chunk is a `stream_error` after a 200, redacted', async () => {
    fake.on('m', { streamErrorAfterChunks: 0, errorMessage: `quota exceeded for key ${KEY}` }, 1);
    const p = provider('openai', fake.url);
    const f = await failureOf(openChatStream(p, { ...body, stream: true }, call(p, true), new AbortFlag(), {}));
    expect(f).toMatchObject({ kind: 'stream_error', upstreamStatus: 200, message: 'quota exceeded for key [REDACTED]' });
  });

  test('with an error event after the first chunk fails the rest of the stream the same way', async () => {
    let release!: () => void;
    fake.on('m', { streamErrorAfterChunks: 1, errorMessage: `quota exceeded for key ${KEY}`, holdStreamError: new Promise<void>((r) => (release = r)) }, 1);
    const p = provider('openai', fake.url);
    const stream = await openChatStream(p, { ...body, stream: true }, call(p, true), new AbortFlag(), {});
    expect(stream.first.length).toBeGreaterThan(0);
    release();
    const f = await failureOf(
      (async () => {
        for await (const _ of stream.rest);
      })(),
    );
    expect(f).toMatchObject({ kind: 'stream_error', upstreamStatus: 200, message: 'quota exceeded for key [REDACTED]' });
  });

  test('with a 200 that is not JSON is a `bad_answer`', async () => {
    fake.on('m', { body: '<html>hello</html>' }, 1);
    const p = provider('openai', fake.url);
    const f = await failureOf(callChat(p, body, call(p), new AbortFlag(), {}));
    expect(f).toMatchObject({ kind: 'bad_answer', upstreamStatus: 200, info: { code: 'bad_upstream_response' } });
  });

  test('on an endpoint the provider lacks is `refused`, with nothing sent', async () => {
    const p = provider('anthropic', fake.url);
    const f = await failureOf(callEmbeddings(p, { model: 'm', input: 'hi' }, call(p), new AbortFlag(), {}));
    expect(f).toMatchObject({ kind: 'refused', upstreamStatus: undefined, info: { code: 'unsupported_endpoint' } });
    expect(fake.calls).toHaveLength(0);
  });

  test('because the client left is a `client_abort`', async () => {
    fake.on('m', { hang: true }, 1);
    const p = provider('openai', fake.url);
    const client = new AbortFlag();
    const pending = failureOf(callChat(p, body, call(p), client, {}));
    client.abort(new Error('client left'));
    expect(await pending).toMatchObject({ kind: 'client_abort', clientAborted: true });
  });
});

test('a successful attempt records the status the upstream answered with', async () => {
  const p = provider('openai', fake.url);
  const timing: { status?: number } = {};
  await callChat(p, body, call(p), new AbortFlag(), timing);
  expect(timing.status).toBe(200);
});
