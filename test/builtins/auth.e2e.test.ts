/**
 * The auth plugin through the real daemon: 401 for a missing or wrong key, 403 for an alias the key may not
 * use, /v1/models narrowed to the key's aliases, and admin endpoints behind the admin key.
 */
import { createHash } from 'node:crypto';
import { readError, readJson, type PassthroughEcho } from '../helpers/answers';
import { gatewayWithFake } from '../helpers/rig';
import { chat } from '../helpers/client';

const batchSecret = 'batch-secret-0001';
const rig = gatewayWithFake(
  (url) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-upstream-test" }
models:
  chat: { targets: [ { provider: up, model: gpt-4o-mini } ] }
  demo: { targets: [ { provider: up, model: gpt-4o-mini } ] }
  secret: { targets: [ { provider: up, model: gpt-4o } ] }
plugins:
  - use: auth
    admin_key: "\${ADMIN_KEY}"
    keys:
      - { name: team-a, key: "\${TEAM_A_KEY}", models: [chat, demo] }
      - { name: family, key: "family-key-0001", models: [chat, "de*"] }
      - { name: batch-jobs, key_sha256: "${createHash('sha256').update(batchSecret).digest('hex')}", models: ["*"] }
  - use: cost-log
    sink: sqlite://./spend.db
`,
  { env: { ADMIN_KEY: 'admin-key-0001', TEAM_A_KEY: 'team-a-key-0001' } },
);

const teamA = { authorization: 'Bearer team-a-key-0001' };

describe('auth plugin (e2e)', () => {
  test("a request without a key gets 401 in OpenAI's error shape, and nothing reaches the upstream", async () => {
    const res = await chat(rig.gw.url, { model: 'chat' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { message: expect.stringContaining('Missing API key'), type: 'authentication_error', param: null, code: 'invalid_api_key' },
    });
    expect(rig.fake.calls).toHaveLength(0);
  });

  test('a wrong key gets 401 and is never echoed or logged', async () => {
    const res = await chat(rig.gw.url, { model: 'chat' }, { headers: { authorization: 'Bearer wrong-key-123456' } });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('wrong-key-123456');
    expect(rig.gw.logs().join('\n')).not.toContain('team-a-key-0001');
  });

  test('a known key may use its aliases (Bearer or x-api-key, plain or SHA-256 in the config)', async () => {
    expect((await chat(rig.gw.url, { model: 'chat' }, { headers: teamA })).status).toBe(200);
    expect((await chat(rig.gw.url, { model: 'secret' }, { headers: { 'x-api-key': batchSecret } })).status).toBe(200);
  });

  test('a request\'s "fallbacks" may name what the key may use, prefix patterns included, and nothing else', async () => {
    const family = { authorization: 'Bearer family-key-0001' };
    rig.fake.on('gpt-4o-mini', { status: 500 }, 1);
    const allowed = await chat(rig.gw.url, { model: 'chat', fallbacks: ['demo'] }, { headers: family });
    expect(allowed.status).toBe(200);
    const refused = await chat(rig.gw.url, { model: 'chat', fallbacks: ['secret'] }, { headers: family });
    expect(refused.status).toBe(403);
    expect((await readError(refused)).error).toMatchObject({ code: 'model_not_allowed', param: 'fallbacks' });
  });

  test('/passthrough needs a key too, and only a key allowed every model may use it', async () => {
    expect((await fetch(`${rig.gw.url}/passthrough/up/files`)).status).toBe(401);
    const restricted = await fetch(`${rig.gw.url}/passthrough/up/files`, { headers: teamA });
    expect(restricted.status).toBe(403);
    expect((await readError(restricted)).error.code).toBe('passthrough_not_allowed');
    const trusted = await fetch(`${rig.gw.url}/passthrough/up/files`, { headers: { 'x-api-key': batchSecret } });
    expect(trusted.status).toBe(200);
    // The provider's key went upstream, never the client's (and its echo comes back redacted).
    expect(rig.fake.calls.at(-1)!.headers.authorization).toBe('Bearer sk-upstream-test');
    expect((await readJson<PassthroughEcho>(trusted)).echo.authorization).toBe('Bearer [REDACTED]');
  });

  test("an alias outside the key's list gets 403", async () => {
    const res = await chat(rig.gw.url, { model: 'secret' }, { headers: teamA });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { type: 'permission_error', code: 'model_not_allowed' } });
    expect(rig.fake.calls).toHaveLength(0);
  });

  test('GET /v1/models lists only what the key may use', async () => {
    const list = async (headers: Record<string, string>) =>
      ((await (await fetch(`${rig.gw.url}/v1/models`, { headers })).json()) as { data: { id: string }[] }).data.map((m) => m.id).sort();
    expect(await list(teamA)).toEqual(['chat', 'demo']);
    expect(await list({ authorization: `Bearer ${batchSecret}` })).toEqual(['chat', 'demo', 'secret']);
    expect((await fetch(`${rig.gw.url}/v1/models`)).status).toBe(401);
  });

  test('the key name reaches the request log line, the key itself does not', async () => {
    await chat(rig.gw.url, { model: 'chat' }, { headers: teamA });
    const line = await rig.gw.waitForLog((r) => r.message === 'request' && r.key === 'team-a');
    expect(JSON.stringify(line)).not.toContain('team-a-key-0001');
  });

  test('admin endpoints need the admin key, not a client key', async () => {
    expect((await fetch(`${rig.gw.url}/admin/spend`)).status).toBe(401);
    expect((await fetch(`${rig.gw.url}/admin/spend`, { headers: teamA })).status).toBe(401);
    const ok = await fetch(`${rig.gw.url}/admin/spend`, { headers: { authorization: 'Bearer admin-key-0001' } });
    expect(ok.status).toBe(200);
  });
});
