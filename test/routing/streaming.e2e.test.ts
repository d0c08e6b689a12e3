/**
 * Streaming failover through the real daemon: before the first byte reaches the client any failure fails over
 * invisibly; after it, the client gets an OpenAI-style error event and no [DONE], never a silent truncation.
 */
import { gatewayWithFake } from '../helpers/rig';
import { chat, readSse, streamedText } from '../helpers/client';

const config = (url: string) => `
providers:
  first:  { api: openai, base_url: "${url}", api_key: "sk-1", timeout_ms: 5000 }
  second: { api: openai, base_url: "${url}", api_key: "sk-2", timeout_ms: 5000 }
retry: { attempts: 2, backoff_ms: 10, max_backoff_ms: 100 }
models:
  chat: { strategy: ordered, targets: [ { provider: first, model: one }, { provider: second, model: two } ] }
`;

const rig = gatewayWithFake(config);

describe('streaming failover', () => {
  test.each([
    ['a 503', { status: 503 }],
    ['a dropped connection', { drop: true }],
    ['an empty 200 answer', { body: '', status: 200 }],
  ])('%s before the first byte fails over invisibly: the client sees one clean stream', async (_name, behavior) => {
    rig.fake.on('one', behavior);
    const res = await chat(rig.gw.url, { model: 'chat', stream: true });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events[events.length - 1]).toBe('[DONE]');
    expect(streamedText(events)).toBe('reply from two');
    expect(events.some((e) => e.includes('"error"'))).toBe(false);
    expect(rig.fake.callsFor('one')).toHaveLength(2); // retried once, then the next target
  });

  test('a failure after the first byte yields an error event, closes without [DONE], is logged, and does not fail over', async () => {
    rig.fake.on('one', { dropAfterChunks: 2, chunkDelayMs: 50, reply: 'one two three four five' });
    const res = await chat(rig.gw.url, { model: 'chat', stream: true });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events).not.toContain('[DONE]');
    expect(streamedText(events.slice(0, -1))).toMatch(/^one /); // what arrived before the cut was relayed
    const last = JSON.parse(events[events.length - 1]) as { error: { type: string; code: string; message: string } };
    expect(last.error).toMatchObject({ type: 'upstream_error', code: 'upstream_stream_failed' });
    expect(rig.fake.callsFor('two')).toHaveLength(0); // the answer was committed: no silent switch mid-answer
    const line = await rig.gw.waitForLog((r) => r.message === 'request' && r.alias === 'chat' && r.completed === false);
    expect(line.status).toBe(200);
    await rig.gw.waitForLog((r) => r.message === 'stream failed after first byte');
  });
});
