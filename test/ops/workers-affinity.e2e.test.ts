/**
 * Cache affinity with `--workers 2`: the pins are the primary's, so a conversation whose turns alternate between
 * the workers stays on the target that served its first turn (a provider's prompt cache is per target).
 */
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { chat } from '../helpers/client';
import type { Daemon } from '../helpers/daemon';
import { startTwoWorkers, workersThatAnswered } from './workers-pid-plugin';

const config = (fakeUrl: string) => `
providers:
  a: { api: openai, base_url: "${fakeUrl}", api_key: "sk-upstream-a" }
  b: { api: openai, base_url: "${fakeUrl}", api_key: "sk-upstream-b" }
models:
  sticky: { strategy: weighted, affinity: { ttl_s: 600 }, targets: [ { provider: a, model: model-a }, { provider: b, model: model-b } ] }
plugins:
  - use: ./pid.js
`;

let fake: FakeOpenAI;
let gw: Daemon;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  gw = await startTwoWorkers(config(fake.url));
}, 60_000);
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

test('each five-turn conversation stays on one target though its turns alternate between the workers', async () => {
  // Weighted 50/50 per worker: without shared pins a conversation stays put with odds 1/2, all eight with 2^-8.
  for (let c = 0; c < 8; c++) {
    const messages = [{ role: 'system', content: `conversation ${c}` }];
    const served: string[] = [];
    const answers: Response[] = [];
    for (let t = 0; t < 5; t++) {
      messages.push({ role: 'user', content: `turn ${t}` });
      // A fresh connection each turn: node:cluster hands it to the next worker.
      const res = await chat(gw.url, { model: 'sticky', messages }, { headers: { connection: 'close' } });
      expect(res.status).toBe(200);
      answers.push(res);
      served.push(res.headers.get('x-switchyard-model') ?? '');
      messages.push({ role: 'assistant', content: ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0].message.content });
    }
    expect(workersThatAnswered(answers)).toBe(2);
    expect(new Set(served)).toEqual(new Set([served[0]]));
  }
}, 60_000);
