/**
 * With auth on and debug logging, no secret (provider key, client key, admin key, or a wrong key a client
 * tried) shows in any response, in /health/ready, in /metrics, or in a single log line.
 */
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { startDaemon, type Daemon } from '../helpers/daemon';

const PROVIDER_KEY = 'sk-secrets-provider-key-111222';
const CLIENT_KEY = 'team-key-without-known-shape-333444';
const ADMIN_KEY = 'admin-key-without-known-shape-555666';
const WRONG_KEY = 'sk-a-wrong-key-someone-tried-777888';
const ALL = [PROVIDER_KEY, CLIENT_KEY, ADMIN_KEY, WRONG_KEY];

let fake: FakeOpenAI;
let gw: Daemon;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  gw = await startDaemon({
    args: ['--log-level', 'debug'],
    env: { SECRETS_TEST_PROVIDER_KEY: PROVIDER_KEY, SECRETS_TEST_CLIENT_KEY: CLIENT_KEY, SECRETS_TEST_ADMIN_KEY: ADMIN_KEY },
    config: `
server: { metrics: { require_admin_key: true } }
providers:
  up: { api: openai, base_url: "${fake.url}", api_key: "\${SECRETS_TEST_PROVIDER_KEY}" }
models:
  chat: { targets: [ { provider: up, model: m } ] }
plugins:
  - use: auth
    admin_key: "\${SECRETS_TEST_ADMIN_KEY}"
    keys: [ { name: team, key: "\${SECRETS_TEST_CLIENT_KEY}", models: ["*"] } ]
  - { use: cost-log, sink: "jsonl://./spend.jsonl" }
`,
  });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

async function text(res: Promise<Response>): Promise<string> {
  const r = await res;
  return `${r.status} ${JSON.stringify([...r.headers])} ${await r.text()}`;
}

test('no secret appears in responses, health, metrics or the debug log', async () => {
  const chat = (key: string, body: Record<string, unknown>) =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
  // A user pasting their own key into a prompt: the debug log of the body must not keep it either.
  const pasted = { model: 'chat', user: CLIENT_KEY, messages: [{ role: 'user', content: `my key is ${CLIENT_KEY} and the admin one is ${ADMIN_KEY}` }] };
  fake.on('m', { status: 401, errorMessage: `Incorrect API key provided: ${PROVIDER_KEY}` }, 1);
  const seen = [
    await text(chat(CLIENT_KEY, pasted)),
    await text(chat(CLIENT_KEY, { ...pasted, stream: true })),
    await text(chat(CLIENT_KEY, pasted)),
    await text(chat(WRONG_KEY, pasted)),
    await text(fetch(`${gw.url}/v1/models`, { headers: { 'x-api-key': WRONG_KEY } })),
    await text(fetch(`${gw.url}/health/ready`)),
    await text(fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })),
    await text(fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${WRONG_KEY}` } })),
    await text(fetch(`${gw.url}/admin/spend?group_by=key`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })),
    // The last request names its id, so the test can wait for its log line (written after every earlier one).
    await text(fetch(`${gw.url}/admin/spend?group_by=key`, { headers: { authorization: `Bearer ${WRONG_KEY}`, 'x-request-id': 'secrets-last-request' } })),
  ];
  expect(seen[0]).toMatch(/^(200|502) /);
  expect(seen[2]).toMatch(/^200 /);
  expect(seen[3]).toMatch(/^401 /);
  expect(seen[6]).toMatch(/^200 /);
  expect(seen[7]).toMatch(/^401 /);
  await gw.waitForLog((r) => r.message === 'request' && r.request_id === 'secrets-last-request');
  const logs = gw.logs().join('\n');
  expect(logs).toContain('"message":"request body"');
  for (const secret of ALL) {
    for (const s of seen) expect(s).not.toContain(secret);
    expect(logs).not.toContain(secret);
  }
});
