/**
 * Hedging through the real daemon: when the chosen target gives no first byte within hedge_after_ms, the same
 * request starts on the next target; the first answer wins and the slow attempt is aborted.
 */
import { gatewayWithFake } from '../helpers/rig';
import { chat, eventually, readSse, streamedText } from '../helpers/client';

const config = (url: string) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-up", timeout_ms: 10000 }
models:
  hedged:
    strategy: ordered
    hedge_after_ms: 200
    targets: [ { provider: up, model: slowpoke }, { provider: up, model: speedy } ]
`;

const rig = gatewayWithFake(config);

describe('hedging', () => {
  test("a hedge cuts a slow target's latency: the next target answers, the slow attempt is aborted, the hedge is logged", async () => {
    rig.fake.on('slowpoke', { delayMs: 8000 });
    const abortedBefore = rig.fake.abortedRequests;
    const res = await chat(rig.gw.url, { model: 'hedged' });
    expect(res.status).toBe(200);
    // The slow target would answer only after 8 s: the answer is the hedge's, and the slow attempt is cut, not awaited.
    expect(res.headers.get('x-switchyard-model')).toBe('speedy');
    expect(rig.fake.callsFor('slowpoke')).toHaveLength(1);
    expect(rig.fake.callsFor('speedy')).toHaveLength(1);
    await eventually(() => rig.fake.abortedRequests === abortedBefore + 1, 2000);
    await rig.gw.waitForLog((r) => r.message === 'hedge started' && r.slow === 'up/slowpoke' && r.hedge === 'up/speedy');
    await rig.gw.waitForLog((r) => r.message === 'request' && r.alias === 'hedged' && r.hedges === 1);
  });

  test('streams are hedged on their first chunk', async () => {
    rig.fake.on('slowpoke', { firstChunkDelayMs: 8000 });
    const abortedBefore = rig.fake.abortedRequests;
    const res = await chat(rig.gw.url, { model: 'hedged', stream: true });
    const events = await readSse(res);
    expect(res.headers.get('x-switchyard-model')).toBe('speedy');
    expect(streamedText(events)).toBe('reply from speedy');
    expect(events[events.length - 1]).toBe('[DONE]');
    // The slow stream's first chunk was not waited for: its attempt was cut.
    await eventually(() => rig.fake.abortedRequests === abortedBefore + 1, 2000);
  });

  test('a target that answers before hedge_after_ms is not hedged', async () => {
    const res = await chat(rig.gw.url, { model: 'hedged' });
    expect(res.headers.get('x-switchyard-model')).toBe('slowpoke');
    expect(rig.fake.callsFor('speedy')).toHaveLength(0);
  });
});
