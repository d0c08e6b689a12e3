/**
 * The API's paths as OpenAI's own API answers them: every /v1 endpoint also without the prefix (clients
 * configured with a bare base URL), and GET /v1/models/{id} for one model, hidden (404) from a key that may not
 * use it, as the list is.
 */
import { readJson } from '../helpers/answers';
import { gatewayWithFake } from '../helpers/rig';

const KEY = 'sk-api-paths-team-key-31337';
const rig = gatewayWithFake(
  (url) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-api-paths-upstream-4242" }
models:
  chat: { targets: [ { provider: up, model: model-chat } ] }
  deepseek/deepseek-chat: { targets: [ { provider: up, model: model-deepseek } ] }
  secret: { targets: [ { provider: up, model: model-secret } ] }
plugins:
  - use: auth
    keys:
      - { name: team, key: "${KEY}", models: [chat, deepseek/deepseek-chat] }
`,
);

const auth = { authorization: `Bearer ${KEY}` };
const get = (path: string) => fetch(`${rig.gw.url}${path}`, { headers: auth });

describe('paths without the /v1 prefix', () => {
  test('POST /chat/completions is the chat endpoint', async () => {
    const res = await fetch(`${rig.gw.url}/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('model-chat');
    const line = await rig.gw.waitForLog((r) => r.message === 'request' && r.request_id === res.headers.get('x-request-id'));
    expect(line).toMatchObject({ endpoint: 'chat', status: 200 });
  });

  test('GET /models lists what the key may use, and a wrong method is a 405', async () => {
    const list = await readJson<{ data: { id: string }[] }>(await get('/models'));
    expect(list.data.map((m) => m.id).sort()).toEqual(['chat', 'deepseek/deepseek-chat']);
    const wrong = await fetch(`${rig.gw.url}/embeddings`, { method: 'GET', headers: auth });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });
});

describe('GET /v1/models/{id}', () => {
  test('answers one model in OpenAI’s shape, ids with a slash included, with and without the prefix', async () => {
    for (const path of ['/v1/models/chat', '/models/chat', '/v1/models/deepseek/deepseek-chat', '/v1/models/deepseek%2Fdeepseek-chat']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      const model = await readJson<{ id: string; object: string; owned_by: string; created: number }>(res);
      expect(model).toMatchObject({ object: 'model', owned_by: 'switchyard' });
      expect(['chat', 'deepseek/deepseek-chat']).toContain(model.id);
      expect(Number.isInteger(model.created)).toBe(true);
    }
  });

  test('an unknown model, or one the key may not use, is a 404 model_not_found; without a key, a 401', async () => {
    for (const id of ['nope', 'secret']) {
      const res = await get(`/v1/models/${id}`);
      expect(res.status).toBe(404);
      expect(await readJson<{ error: { code: string; param: string } }>(res)).toMatchObject({ error: { code: 'model_not_found', param: 'model' } });
    }
    expect((await fetch(`${rig.gw.url}/v1/models/chat`)).status).toBe(401);
  });

  test('a malformed id is a 400, and other methods a 405', async () => {
    expect((await get('/v1/models/%E0%A4%A')).status).toBe(400);
    const res = await fetch(`${rig.gw.url}/v1/models/chat`, { method: 'DELETE', headers: auth });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});
