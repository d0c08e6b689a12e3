/**
 * Client mistakes through the real daemon: malformed bodies on /v1/messages are Anthropic-shaped 400s that name
 * the field, never 500s, and are logged like any other answer; odd numbers and inputs on the OpenAI endpoints
 * are 400s naming the param; and no request, however odd, can switch off or jam a tokens-per-minute limit.
 */
import { gatewayWithFake } from '../helpers/rig';

const POISONED = ['poison-embed', 'poison-embed-null', 'poison-max-tokens', 'poison-messages', 'odd-usage'];
// Each poisoned key has a twin that never sees the poison: the limit it enforces is the one expected.
const KEYS = ['baseline', ...POISONED, ...POISONED.map((k) => `${k}-twin`)];
const keyOf = (name: string) => `sk-client-mistakes-${name}-0001`;

const rig = gatewayWithFake(
  (url) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-client-mistakes-upstream-9999" }
models:
  chat:  { targets: [ { provider: up, model: model-chat } ] }
  embed: { targets: [ { provider: up, model: model-embed } ] }
plugins:
  - use: auth
    keys:
${KEYS.map((k) => `      - { name: ${k}, key: "${keyOf(k)}", models: ["*"], tpm: 1000 }`).join('\n')}
  - { use: rate-limit, store: memory, max_queue_ms: 0 }
`,
);

/** Posts raw JSON text, so a test can send what JSON.stringify cannot write (1e999). */
function post(path: string, text: string, key = 'baseline'): Promise<Response> {
  return fetch(`${rig.gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${keyOf(key)}`, 'anthropic-version': '2023-06-01' },
    body: text,
  });
}

const messagesBody = (extra: Record<string, unknown>) =>
  JSON.stringify({ model: 'chat', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('/v1/messages client mistakes', () => {
  test.each([
    ['a system that is an object', { system: {} }, 'system: Input should be a valid list'],
    ['a tool_choice that is a string', { tool_choice: 'auto' }, 'tool_choice: Input should be a valid dictionary or object to extract fields from'],
    [
      'a null content block',
      { messages: [{ role: 'user', content: [null] }] },
      'messages.0.content.0: Input should be a valid dictionary or object to extract fields from',
    ],
    ['tools that are a string', { tools: 'x' }, 'tools: Input should be a valid list'],
    ['a text block without text', { messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages.0.content.0.text: Field required'],
    [
      'a tool_result with an object for content',
      { messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: {} }] }] },
      'messages.0.content.0.content: Input should be a valid list',
    ],
  ])("%s is a 400 in Anthropic's shape naming the field, logged like any answer", async (_title, extra, message) => {
    const res = await post('/v1/messages', messagesBody(extra));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message } });
    const id = res.headers.get('x-request-id');
    const line = await rig.gw.waitForLog((r) => r.message === 'request' && r.request_id === id);
    expect(line).toMatchObject({ endpoint: 'messages', status: 400, error: message });
    expect(rig.fake.calls).toHaveLength(0);
  });

  test('max_tokens of 1e999 on /v1/messages is refused, not sent upstream as null', async () => {
    const res = await post('/v1/messages', '{"model":"chat","max_tokens":1e999,"messages":[{"role":"user","content":"hi"}]}');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('max_tokens: Input should be less than or equal to 1000000');
    expect(rig.fake.calls).toHaveLength(0);
  });
});

describe('OpenAI endpoint client mistakes', () => {
  test.each([
    ['/v1/embeddings', '{"model":"embed","input":[null]}', 'input'],
    ['/v1/embeddings', '{"model":"embed","input":[{}]}', 'input'],
    ['/v1/embeddings', '{"model":"embed","input":[[1,2,1e999]]}', 'input.0.2'],
    ['/v1/chat/completions', '{"model":"chat","max_tokens":1e999,"messages":[{"role":"user","content":"hi"}]}', 'max_tokens'],
    ['/v1/chat/completions', '{"model":"chat","max_completion_tokens":-1e999,"messages":[{"role":"user","content":"hi"}]}', 'max_completion_tokens'],
    ['/v1/chat/completions', '{"model":"chat","n":1e999,"messages":[{"role":"user","content":"hi"}]}', 'n'],
    ['/v1/chat/completions', '{"model":"chat","temperature":1e999,"messages":[{"role":"user","content":"hi"}]}', 'temperature'],
  ])('%s %s is a 400 naming %s', async (path, body, param) => {
    const res = await post(path, body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { type: string; param: string; message: string } };
    expect(json.error).toMatchObject({ type: 'invalid_request_error', param });
    expect(json.error.message).toContain(`'${param}'`);
    expect(rig.fake.calls).toHaveLength(0);
  });
});

describe('a tokens-per-minute limit cannot be switched off by one request', () => {
  /** Ten chat requests of 500 completion tokens, each using 600: a 1000-token bucket admits one of them. */
  async function admittedOfTen(key: string): Promise<number> {
    let admitted = 0;
    for (let i = 0; i < 10; i++) {
      const res = await post(
        '/v1/chat/completions',
        JSON.stringify({ model: 'chat', max_tokens: 500, messages: [{ role: 'user', content: `request ${i}` }] }),
        key,
      );
      await res.text();
      if (res.status === 200) admitted++;
      else expect(res.status).toBe(429);
    }
    return admitted;
  }

  test.each([
    ['poison-embed', '/v1/embeddings', '{"model":"embed","input":[{}]}'],
    ['poison-embed-null', '/v1/embeddings', '{"model":"embed","input":[null]}'],
    ['poison-max-tokens', '/v1/chat/completions', '{"model":"chat","max_tokens":1e999,"messages":[{"role":"user","content":"hi"}]}'],
    ['poison-messages', '/v1/messages', '{"model":"chat","max_tokens":1e999,"messages":[{"role":"user","content":"hi"}]}'],
  ])('after %s (%s %s) the key is limited exactly as before', async (key, path, poison) => {
    rig.fake.on('model-chat', { usage: { prompt_tokens: 100, completion_tokens: 500 } });
    const before = await admittedOfTen(`${key}-twin`);
    expect(before).toBe(1);

    const refused = await post(path, poison, key);
    await refused.text();
    expect(await admittedOfTen(key)).toBe(before);
    expect(refused.status).toBe(400);
  });

  test.each([
    ['a string', '"many"'],
    ['1e999', '1e999'],
  ])('an upstream reporting total_tokens as %s does not switch the limit off either', async (_title, total) => {
    const usage = `{"prompt_tokens":100,"completion_tokens":500,"total_tokens":${total}}`;
    rig.fake.on('model-chat', {
      body: `{"id":"c1","object":"chat.completion","created":1,"model":"model-chat","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":"stop"}],"usage":${usage}}`,
    });
    const key = total === '1e999' ? 'odd-usage-twin' : 'odd-usage';
    expect(await admittedOfTen(key)).toBe(1);
  });
});
