/**
 * CORS for browser apps (server.cors) through the real gateway: an allowed origin's preflight gets 204 with the
 * methods and the headers it asked for, and every answer to it (errors included) carries
 * Access-Control-Allow-Origin; another origin gets no CORS header at all, so its page cannot read the answer.
 */
import { gatewayWithFake } from '../helpers/rig';

const APP = 'https://app.example.com';
const rig = gatewayWithFake(
  (url) => `
server: { cors: { allow_origins: ["${APP}"], max_age_s: 300 } }
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-cors-upstream-4242" }
models:
  chat: { targets: [ { provider: up, model: model-chat } ] }
`,
);

const preflight = (origin: string, headers = 'authorization, content-type, x-stainless-os') =>
  fetch(`${rig.gw.url}/v1/chat/completions`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
  });
const chat = (origin: string, model = 'chat') =>
  fetch(`${rig.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });

describe('server.cors', () => {
  test('a preflight from an allowed origin gets 204 with the methods, the headers it asked for and max-age; it is logged', async () => {
    const res = await preflight(APP);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization, content-type, x-stainless-os');
    expect(res.headers.get('access-control-max-age')).toBe('300');
    expect(res.headers.get('vary')).toBe('Origin');
    const line = await rig.gw.waitForLog((r) => r.message === 'request' && r.request_id === res.headers.get('x-request-id'));
    expect(line).toMatchObject({ endpoint: 'preflight', status: 204 });
    expect(rig.fake.calls).toHaveLength(0);
  });

  test('answers to an allowed origin carry its CORS headers, errors included', async () => {
    const ok = await chat(APP);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP);
    expect(ok.headers.get('access-control-expose-headers')).toBe('*');
    const missing = await chat(APP, 'nope');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe(APP);
  });

  test('another origin gets no CORS header, in the preflight or the answer; header lists that are not tokens are not echoed', async () => {
    const res = await preflight('https://evil.example');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-methods')).toBeNull();
    const answer = await chat('https://evil.example');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    const odd = await preflight(APP, 'x-ok; bad=header');
    expect(odd.headers.get('access-control-allow-headers')).toBeNull();
  });
});
