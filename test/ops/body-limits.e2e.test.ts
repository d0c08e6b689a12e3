/**
 * The JSON node limit (server.max_json_nodes) through the real gateway: a body with more objects, arrays and keys
 * than the limit is refused with a 413 in the front door's format before it is parsed or sent upstream, and logged
 * like any other answer; a body at the limit goes through.
 */
import { gatewayWithFake } from '../helpers/rig';

const MAX_NODES = 1000;
const rig = gatewayWithFake(
  (url) => `
server: { max_json_nodes: ${MAX_NODES} }
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-body-limits-upstream-4242" }
models:
  chat: { targets: [ { provider: up, model: model-chat } ] }
`,
);

/** A chat body of `nodes` JSON nodes: root, messages array, model, max_tokens and messages keys, 3 per message. */
function chatOfNodes(nodes: number): string {
  const messages = Array.from({ length: (nodes - 5) / 3 }, () => ({ role: 'user', content: 'x' }));
  return JSON.stringify({ model: 'chat', max_tokens: 8, messages });
}

function post(path: string, body: string): Promise<Response> {
  return fetch(`${rig.gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body });
}

const MESSAGE = `The request body holds more than ${MAX_NODES} JSON objects, arrays and keys (server.max_json_nodes).`;

describe('server.max_json_nodes', () => {
  test("a chat body one message over the limit is a 413 in OpenAI's shape, logged, never sent upstream", async () => {
    const res = await post('/v1/chat/completions', chatOfNodes(MAX_NODES + 3));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { message: MESSAGE, type: 'invalid_request_error', param: null, code: 'json_too_many_nodes' } });
    const id = res.headers.get('x-request-id');
    expect(id).toBeTruthy();
    const line = await rig.gw.waitForLog((r) => r.message === 'request' && r.request_id === id);
    expect(line).toMatchObject({ endpoint: 'chat', status: 413 });
    expect(rig.fake.calls).toHaveLength(0);
  });

  test("on /v1/messages the same refusal is in Anthropic's shape (its 413 type, request_too_large)", async () => {
    const res = await post('/v1/messages', chatOfNodes(MAX_NODES + 3));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'request_too_large', message: MESSAGE } });
    const id = res.headers.get('x-request-id');
    await rig.gw.waitForLog((r) => r.message === 'request' && r.request_id === id && r.status === 413);
    expect(rig.fake.calls).toHaveLength(0);
  });

  test('a body at the limit goes through', async () => {
    const res = await post('/v1/chat/completions', chatOfNodes(MAX_NODES - 1));
    expect(res.status).toBe(200);
    expect(rig.fake.calls).toHaveLength(1);
  });
});
