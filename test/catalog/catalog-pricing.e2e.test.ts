/**
 * The shipped catalog through the real gateway: a request is priced by the model the provider answered with
 * (an Azure-style deployment name serving gpt-4o), then by its target's model, then by the target's or the
 * provider's `price:`; GET /v1/models carries OpenRouter's context_length and pricing fields per alias and stays
 * a list the OpenAI client library reads.
 */
import OpenAI from 'openai';
import { gatewayWithFake } from '../helpers/rig';
import { chat } from '../helpers/client';

const rig = gatewayWithFake(
  (url) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-catalog-upstream-1" }
  house: { api: openai, base_url: "${url}", api_key: "sk-catalog-upstream-2", price: { input: 7, output: 70 } }
models:
  deployment: { targets: [ { provider: up, model: prod-chat } ] }
  known: { targets: [ { provider: up, model: gpt-4o-mini } ] }
  tuned: { targets: [ { provider: up, model: my-finetune, price: { input: 1, output: 2 } } ] }
  house-model: { targets: [ { provider: house, model: in-house-model } ] }
  house-special: { targets: [ { provider: house, model: in-house-special, price: { input: 2, output: 2 } } ] }
  mystery: { targets: [ { provider: up, model: mystery-model } ] }
  ruled: { route: [ { to: known } ] }
plugins:
  - use: cost-log
    sink: jsonl://./spend.jsonl
`,
);

/** An OpenAI chat completion as Azure answers for a deployment: the underlying model's name, not the deployment's. */
function completionFrom(model: string, prompt: number, completion: number): string {
  return JSON.stringify({
    id: 'chatcmpl-catalog-1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  });
}

async function costOf(alias: string): Promise<string | null> {
  const res = await chat(rig.gw.url, { model: alias, messages: [{ role: 'user', content: `price ${alias}` }] });
  expect(res.status).toBe(200);
  await res.text();
  return res.headers.get('x-switchyard-cost-usd');
}

describe('prices found in the documented order', () => {
  test('by the model the provider answered with: deployment prod-chat serving gpt-4o-2024-08-06', async () => {
    rig.fake.on('prod-chat', { body: completionFrom('gpt-4o-2024-08-06', 1000, 100) });
    // 1000 × $2.50/M + 100 × $10/M
    expect(await costOf('deployment')).toBe('0.0035');
  });

  test("by the target's model from the catalog", async () => {
    rig.fake.on('gpt-4o-mini', { usage: { prompt_tokens: 2000, completion_tokens: 300 } });
    // 2000 × 0.15 + 300 × 0.60 µ$
    expect(await costOf('known')).toBe('0.00048');
  });

  test("by the target's price: when the catalog knows neither name", async () => {
    rig.fake.on('my-finetune', { usage: { prompt_tokens: 1000, completion_tokens: 1000 } });
    expect(await costOf('tuned')).toBe('0.003');
  });

  test("by the provider's price:, and a target's own price: wins over it", async () => {
    rig.fake.on('in-house-model', { usage: { prompt_tokens: 1000, completion_tokens: 100 } });
    rig.fake.on('in-house-special', { usage: { prompt_tokens: 1000, completion_tokens: 1000 } });
    expect(await costOf('house-model')).toBe('0.014');
    expect(await costOf('house-special')).toBe('0.004');
  });

  test('unpriced when nothing prices it: no cost header, cost recorded as null', async () => {
    rig.fake.on('mystery-model', { usage: { prompt_tokens: 10, completion_tokens: 10 } });
    expect(await costOf('mystery')).toBeNull();
    const line = await rig.gw.waitForLog((r) => r.message === 'request' && r.alias === 'mystery');
    expect(line.cost_usd).toBeNull();
  });
});

describe('GET /v1/models', () => {
  test("adds context_length and per-token pricing of each alias's first target, as OpenRouter does", async () => {
    const res = await fetch(`${rig.gw.url}/v1/models`);
    const body = (await res.json()) as { object: string; data: Record<string, unknown>[] };
    const byId = new Map(body.data.map((m) => [m.id, m]));
    expect(byId.get('known')).toEqual({
      id: 'known',
      object: 'model',
      created: expect.any(Number),
      owned_by: 'switchyard',
      context_length: 128000,
      pricing: { prompt: '0.00000015', completion: '0.0000006', input_cache_read: '0.000000075' },
    });
    // A price: override prices the alias; an unknown model and a route-only alias have no extra fields.
    expect(byId.get('tuned')).toMatchObject({ pricing: { prompt: '0.000001', completion: '0.000002' } });
    expect(byId.get('mystery')).toEqual({ id: 'mystery', object: 'model', created: expect.any(Number), owned_by: 'switchyard' });
    expect(byId.get('ruled')).not.toHaveProperty('pricing');
    const one = (await (await fetch(`${rig.gw.url}/v1/models/known`)).json()) as Record<string, unknown>;
    expect(one).toEqual(byId.get('known'));
  });

  test('is still a model list the OpenAI client library reads', async () => {
    const client = new OpenAI({ baseURL: `${rig.gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const ids: string[] = [];
    for await (const m of client.models.list()) {
      expect(m.object).toBe('model');
      ids.push(m.id);
    }
    expect(ids.sort()).toEqual(['deployment', 'house-model', 'house-special', 'known', 'mystery', 'ruled', 'tuned']);
    const known = await client.models.retrieve('known');
    expect((known as unknown as { context_length: number }).context_length).toBe(128000);
  });
});
