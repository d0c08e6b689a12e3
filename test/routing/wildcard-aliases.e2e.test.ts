/**
 * Wildcard aliases through the real gateway: a `prefix/*` key and `expose_catalog: true` let a client name any
 * model of a provider (`groq/llama-3.3-70b-versatile`) without an alias each; it is routed, priced and held to
 * the auth allow-list like an alias, and GET /v1/models lists what such a provider serves (from the catalog, or
 * the provider's own /models for a local server), with context length and capabilities.
 */
import OpenAI from 'openai';
import { startFakeVendor } from '../../src/testing/fake-vendors';
import { gatewayWithFakes } from '../helpers/rig';

const rig = gatewayWithFakes(
  { groq: () => startFakeVendor('groq', { key: 'gsk-test' }), local: () => startFakeVendor('ollama', { models: ['llama3.2', 'qwen3:8b'] }) },
  ({ groq, local }) => ({
    env: { GROQ_API_KEY: 'gsk-test', XAI_API_KEY: undefined },
    config: `
providers:
  groq:  { preset: groq, base_url: "${groq.url}" }
  local: { preset: ollama, base_url: "${local.url}", expose_catalog: true }
  dead:  { preset: xai }
models:
  falls-back: { targets: [ { provider: dead, model: grok-4 } ], fallbacks: ["groq/llama-3.3-70b-versatile"] }
  chat: { targets: [ { provider: groq, model: llama-3.1-8b-instant } ] }
  "groq/*": { provider: groq, retry: { attempts: 1 } }
plugins:
  - use: auth
    keys:
      - { name: all, key: "key-all-0001", models: ["*"] }
      - { name: groq-only, key: "key-groq-0001", models: ["groq/*"] }
      - { name: chat-only, key: "key-chat-0001", models: [chat] }
  - use: cost-log
`,
  }),
);

/** A client of the gateway sending `key`. */
const client = rig.openaiWithKey;
test('a client names a catalog model through a wildcard alias and is routed to it', async () => {
  const r = await client('key-all-0001').chat.completions.create({ model: 'groq/llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'hi' }] });
  expect(r.choices[0].message.content).toBe('reply from llama-3.3-70b-versatile');
  expect(rig.fakes.groq.calls[0].body?.model).toBe('llama-3.3-70b-versatile');
});

test('a model id holding a slash keeps everything after the prefix', async () => {
  await client('key-all-0001').chat.completions.create({ model: 'groq/openai/gpt-oss-120b', messages: [{ role: 'user', content: 'hi' }] });
  expect(rig.fakes.groq.calls[0].body?.model).toBe('openai/gpt-oss-120b');
});

test('a wildcard model is priced from the catalog like an alias', async () => {
  const res = await fetch(`${rig.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer key-all-0001' },
    body: JSON.stringify({ model: 'groq/llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(res.status).toBe(200);
  // 10 prompt tokens at $0.59/M and 4 completion tokens at $0.79/M.
  expect(res.headers.get('x-switchyard-cost-usd')).toBe('0.00000906');
  expect(res.headers.get('x-switchyard-model')).toBe('llama-3.3-70b-versatile');
});

test("the key's allow-list patterns apply to wildcard names", async () => {
  const ok = await client('key-groq-0001').chat.completions.create({ model: 'groq/llama-3.1-8b-instant', messages: [{ role: 'user', content: 'hi' }] });
  expect(ok.choices[0].message.content).toBe('reply from llama-3.1-8b-instant');
  const refused = await client('key-chat-0001')
    .chat.completions.create({ model: 'groq/llama-3.1-8b-instant', messages: [{ role: 'user', content: 'hi' }] })
    .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
  expect(refused).toBeInstanceOf(OpenAI.APIError);
  expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
  expect(rig.fakes.groq.calls).toHaveLength(1);
});

test('an alias may fall back to a wildcard name', async () => {
  const r = await client('key-all-0001').chat.completions.create({ model: 'falls-back', messages: [{ role: 'user', content: 'hi' }] });
  expect(r.choices[0].message.content).toBe('reply from llama-3.3-70b-versatile');
});

test('a prefix no wildcard covers is still an unknown model', async () => {
  const err = await client('key-all-0001')
    .chat.completions.create({ model: 'mistral/mistral-large-latest', messages: [{ role: 'user', content: 'hi' }] })
    .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
  expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
});

test('GET /v1/models lists the catalog models a wildcard serves, with context length, capabilities and pricing', async () => {
  const list = await client('key-all-0001').models.list();
  const byId = new Map(list.data.map((m) => [m.id, m as unknown as Record<string, unknown>]));
  expect(byId.has('chat')).toBe(true);
  const llama = byId.get('groq/llama-3.3-70b-versatile');
  expect(llama).toMatchObject({ owned_by: 'groq', context_length: 131072, capabilities: expect.objectContaining({ tool_call: true, reasoning: false }) });
  expect(llama?.pricing).toMatchObject({ prompt: '0.00000059', completion: '0.00000079' });
  expect(byId.has('groq/openai/gpt-oss-120b')).toBe(true);
});

test("a local server's models come from its own /models, fetched once and then cached", async () => {
  const first = await client('key-all-0001').models.list();
  const second = await client('key-all-0001').models.list();
  for (const list of [first, second]) expect(list.data.map((m) => m.id)).toEqual(expect.arrayContaining(['local/llama3.2', 'local/qwen3:8b']));
  // Listed by an earlier test too: within the TTL the provider is asked at most once for all of them.
  expect(rig.fakes.local.calls.filter((c) => c.method === 'GET' && c.path === '/v1/models').length).toBeLessThanOrEqual(1);
  const r = await client('key-all-0001').chat.completions.create({ model: 'local/qwen3:8b', messages: [{ role: 'user', content: 'hi' }] });
  expect(r.choices[0].message.content).toBe('reply from qwen3:8b');
});

test('GET /v1/models is narrowed to the patterns a key may use, and one wildcard model can be fetched by id', async () => {
  const list = await client('key-groq-0001').models.list();
  expect(list.data.length).toBeGreaterThan(3);
  expect(list.data.every((m) => m.id.startsWith('groq/'))).toBe(true);
  const one = await client('key-groq-0001').models.retrieve('groq/llama-3.1-8b-instant');
  expect(one).toMatchObject({ id: 'groq/llama-3.1-8b-instant', context_length: 131072 });
});
