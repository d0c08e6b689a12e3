/**
 * A model reached through a wildcard alias is rate-limited like an alias: the key's own limit and a per-alias
 * limit named after the model both hold.
 */
import { startFakeVendor } from '../../src/testing/fake-vendors';
import { gatewayWithFakes } from '../helpers/rig';

const rig = gatewayWithFakes({ groq: () => startFakeVendor('groq', { key: 'gsk-test' }) }, ({ groq }) => ({
  env: { GROQ_API_KEY: 'gsk-test' },
  config: `
providers:
  groq: { preset: groq, base_url: "${groq.url}" }
models:
  "groq/*": { provider: groq }
plugins:
  - use: auth
    keys:
      - { name: small, key: "key-small-0001", models: ["groq/*"], rpm: 2 }
      - { name: big, key: "key-big-0002", models: ["groq/*"] }
  - use: rate-limit
    store: memory
    per_alias: { "groq/llama-3.1-8b-instant": { rpm: 3 } }
`,
}));

const ask = (key: string, model: string) =>
  fetch(`${rig.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  }).then(async (r) => {
    await r.text();
    return r.status;
  });

test("a key's rpm holds on wildcard-served models", async () => {
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push(await ask('key-small-0001', 'groq/llama-3.3-70b-versatile'));
  expect(statuses).toEqual([200, 200, 429]);
});

test('a per-alias limit named after a wildcard-served model holds over all keys', async () => {
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push(await ask('key-big-0002', 'groq/llama-3.1-8b-instant'));
  expect(statuses).toEqual([200, 200, 200, 429]);
  // Another model through the same wildcard has no such limit.
  expect(await ask('key-big-0002', 'groq/llama-3.3-70b-versatile')).toBe(200);
});
