/**
 * x-switchyard-overhead-ms: the gateway's own time on every answer, and the same figure in /metrics.
 * (Values are not compared with a clock: only that they are there, well-formed, and counted.)
 */
import { readSse } from '../helpers/client';
import { gatewayWithFake } from '../helpers/rig';

const rig = gatewayWithFake(
  (url) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-up-000" }
models:
  chat: { targets: [ { provider: up, model: model-a } ] }
`,
);

const chat = (body: Record<string, unknown>) =>
  fetch(`${rig.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }),
  });

function overheadOf(res: Response): number {
  const value = res.headers.get('x-switchyard-overhead-ms');
  expect(value).toMatch(/^\d+\.\d{2}$/);
  return Number(value);
}

describe('x-switchyard-overhead-ms', () => {
  test('JSON answers, streams and errors all carry it', async () => {
    const json = await chat({ model: 'chat' });
    expect(json.status).toBe(200);
    expect(overheadOf(json)).toBeGreaterThanOrEqual(0);
    await json.text();

    const stream = await chat({ model: 'chat', stream: true });
    expect(stream.status).toBe(200);
    overheadOf(stream);
    expect((await readSse(stream)).at(-1)).toBe('[DONE]');

    const missing = await chat({ model: 'no-such-alias' });
    expect(missing.status).toBe(404);
    overheadOf(missing);
    await missing.text();
  });

  test('/metrics has the same figure as a histogram per route', async () => {
    await (await chat({ model: 'chat' })).text();
    const text = await (await fetch(`${rig.gw.url}/metrics`)).text();
    const count = text.split('\n').find((l) => l.startsWith('switchyard_gateway_overhead_seconds_count') && l.includes('alias="chat"'));
    expect(count).toBeDefined();
    expect(Number(count?.split(' ').pop())).toBeGreaterThanOrEqual(1);
  });
});
