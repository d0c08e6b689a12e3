/**
 * The cache plugin through the real daemon: hits with zero upstream calls for JSON and for streams (replayed
 * as proper SSE), truncated streams and errors never cached, Cache-Control honoured, a header on every answer.
 */
import { readCompletion } from '../helpers/answers';
import { gatewayWithFake } from '../helpers/rig';
import { chat, readSse, streamedText } from '../helpers/client';

const rig = gatewayWithFake(
  (url) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-upstream-test" }
models:
  chat: { targets: [ { provider: up, model: gpt-4o-mini } ] }
plugins:
  - use: cache
    ttl_s: 600
`,
);

let n = 0;
/** A prompt no earlier test used, so each test starts with a cold entry. */
const fresh = () => [{ role: 'user', content: `question ${++n} ${Date.now()}` }];

describe('cache plugin (e2e)', () => {
  test('a repeated JSON request is answered from the cache without calling the upstream', async () => {
    const messages = fresh();
    rig.fake.on('*', { reply: 'the cached answer' });
    const first = await chat(rig.gw.url, { model: 'chat', messages });
    expect(first.headers.get('x-switchyard-cache')).toBe('miss');
    const firstBody = await readCompletion(first);
    expect(rig.fake.calls).toHaveLength(1);

    const second = await chat(rig.gw.url, { model: 'chat', messages });
    expect(second.status).toBe(200);
    expect(second.headers.get('x-switchyard-cache')).toBe('hit');
    expect((await readCompletion(second)).choices).toEqual(firstBody.choices);
    expect(rig.fake.calls).toHaveLength(1);
  });

  test('a repeated stream request is replayed as an SSE stream without calling the upstream', async () => {
    const messages = fresh();
    rig.fake.on('*', { reply: 'streamed and cached' });
    const first = await chat(rig.gw.url, { model: 'chat', messages, stream: true });
    expect(streamedText(await readSse(first))).toBe('streamed and cached');

    const second = await chat(rig.gw.url, { model: 'chat', messages, stream: true });
    expect(second.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(second.headers.get('x-switchyard-cache')).toBe('hit');
    const events = await readSse(second);
    expect(events[events.length - 1]).toBe('[DONE]');
    expect(streamedText(events)).toBe('streamed and cached');
    expect(rig.fake.calls).toHaveLength(1);
  });

  test('a JSON answer also serves the same question asked as a stream', async () => {
    const messages = fresh();
    rig.fake.on('*', { reply: 'one answer, two shapes' });
    await (await chat(rig.gw.url, { model: 'chat', messages })).json();
    const streamed = await chat(rig.gw.url, { model: 'chat', messages, stream: true });
    expect(streamedText(await readSse(streamed))).toBe('one answer, two shapes');
    expect(rig.fake.calls).toHaveLength(1);
  });

  test('a stream cut short is not cached', async () => {
    const messages = fresh();
    rig.fake.on('*', { reply: 'this will be cut off halfway', dropAfterChunks: 2 }, 1);
    await (await chat(rig.gw.url, { model: 'chat', messages, stream: true })).text().catch(() => '');
    const again = await chat(rig.gw.url, { model: 'chat', messages, stream: true });
    expect(again.headers.get('x-switchyard-cache')).toBe('miss');
    await again.text();
    expect(rig.fake.calls).toHaveLength(2);
  });

  test('an error is not cached', async () => {
    const messages = fresh();
    rig.fake.on('*', { status: 400, errorMessage: 'bad request' }, 1);
    expect((await chat(rig.gw.url, { model: 'chat', messages })).status).toBe(400);
    const again = await chat(rig.gw.url, { model: 'chat', messages });
    expect(again.status).toBe(200);
    expect(again.headers.get('x-switchyard-cache')).toBe('miss');
  });

  test('Cache-Control: no-cache skips the lookup, no-store skips storing', async () => {
    const messages = fresh();
    const noStore = await chat(rig.gw.url, { model: 'chat', messages }, { headers: { 'cache-control': 'no-store' } });
    expect(noStore.headers.get('x-switchyard-cache')).toBe('bypass');
    const afterNoStore = await chat(rig.gw.url, { model: 'chat', messages });
    expect(afterNoStore.headers.get('x-switchyard-cache')).toBe('miss');
    const noCache = await chat(rig.gw.url, { model: 'chat', messages }, { headers: { 'cache-control': 'no-cache' } });
    expect(noCache.headers.get('x-switchyard-cache')).toBe('bypass');
    expect(rig.fake.calls).toHaveLength(3);
  });

  test('a different parameter is a different entry', async () => {
    const messages = fresh();
    await chat(rig.gw.url, { model: 'chat', messages, temperature: 0 });
    const other = await chat(rig.gw.url, { model: 'chat', messages, temperature: 1 });
    expect(other.headers.get('x-switchyard-cache')).toBe('miss');
  });
});
