/**
 * Strategies through the real daemon: lowest-latency converges on the fast target, lowest-cost picks the cheap
 * one for the request (built-in prices and the config's `pricing:`), least-busy spreads concurrent requests.
 */
import { gatewayWithFake } from '../helpers/rig';
import { chat, eventually } from '../helpers/client';

const config = (url: string) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-up", timeout_ms: 5000 }
pricing:
  premium-house-model: { input: 10, output: 30 }
  budget-house-model:  { input: 0.1, output: 0.2 }
models:
  fastest:  { strategy: lowest-latency, targets: [ { provider: up, model: tortoise }, { provider: up, model: hare } ] }
  cheapest: { strategy: lowest-cost, targets: [ { provider: up, model: gpt-4o }, { provider: up, model: gpt-4o-mini } ] }
  house:    { strategy: lowest-cost, targets: [ { provider: up, model: premium-house-model }, { provider: up, model: budget-house-model } ] }
  spread:   { strategy: least-busy, targets: [ { provider: up, model: lane-a }, { provider: up, model: lane-b } ] }
`;

const rig = gatewayWithFake(config);

const served = async (model: string) => (await chat(rig.gw.url, { model })).headers.get('x-switchyard-model');

describe('strategies', () => {
  test('lowest-latency converges on the fast target', async () => {
    rig.fake.on('tortoise', { delayMs: 400 });
    for (let i = 0; i < 10; i++) await served('fastest'); // both get measured
    const later: (string | null)[] = [];
    for (let i = 0; i < 20; i++) later.push(await served('fastest'));
    // About one request in ten explores (half of those land on the tortoise): expect ~19 of 20 on the hare.
    expect(later.filter((m) => m === 'hare').length).toBeGreaterThanOrEqual(15);
  });

  test('lowest-cost picks the cheap target by the built-in price table', async () => {
    for (let i = 0; i < 5; i++) expect(await served('cheapest')).toBe('gpt-4o-mini');
    expect(rig.fake.callsFor('gpt-4o')).toHaveLength(0);
  });

  test("lowest-cost uses the config's pricing: section, and still fails over to the dearer target", async () => {
    expect(await served('house')).toBe('budget-house-model');
    rig.fake.on('budget-house-model', { status: 503 });
    expect(await served('house')).toBe('premium-house-model');
  });

  test('least-busy sends concurrent requests to the target with fewer in flight', async () => {
    rig.fake.on('*', { delayMs: 600 });
    const pending: Promise<Response>[] = [];
    for (let i = 0; i < 4; i++) {
      pending.push(chat(rig.gw.url, { model: 'spread' }));
      await eventually(() => rig.fake.calls.length === i + 1); // routed and in flight before the next arrives
    }
    await Promise.all(pending);
    expect(rig.fake.callsFor('lane-a')).toHaveLength(2);
    expect(rig.fake.callsFor('lane-b')).toHaveLength(2);
  });
});
