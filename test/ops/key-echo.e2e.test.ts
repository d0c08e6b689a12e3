/**
 * Upstreams that echo the gateway's own provider key back (quota errors that name the key, proxies that print
 * the request headers): the key reaches no client, on /v1/chat/completions or /v1/messages, whether the echo
 * comes as an in-stream error before or after the first chunk, in a JSON error body (message, code), or in a
 * plain-text error page where the key straddles the 500-character excerpt the adapters keep.
 */
import { startFakeAnthropic, type FakeAnthropic } from '../../src/testing/fake-anthropic';
import { startFakeGemini, type FakeGemini } from '../../src/testing/fake-gemini';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { startDaemon, type Daemon } from '../helpers/daemon';

// No well-known key shape (sk-…, AIza…): only the registration of the configured keys can catch them.
const KEYS = {
  oa: 'qz7Hk2Wm9XpL4vRt8NbC3dFjYs',
  an: 'Tn4wQ8cLm2Zr7Kx5Vb9HdPg3Jf',
  ge: 'Wd3Rk9Xm5Tq2Lz8Cv4Hn7Bp6Gy',
  anp: 'Mh6Yt2Qr9Wk4Zx7Cn3Lb8Vd5Fs',
  gep: 'Px5Lv8Nq3Zt6Wm2Kr9Hc4Yb7Dj',
};
type Provider = keyof typeof KEYS;

let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
let gemini: FakeGemini;
let gw: Daemon;

beforeAll(async () => {
  [openai, anthropic, gemini] = await Promise.all([startFakeOpenAI(), startFakeAnthropic(), startFakeGemini()]);
  gw = await startDaemon({
    env: Object.fromEntries(Object.entries(KEYS).map(([name, key]) => [`KEY_ECHO_${name.toUpperCase()}`, key])),
    // an-proxied and ge-proxied: Anthropic and Gemini behind a proxy (played by the OpenAI fake) whose error
    // pages are plain text.
    config: `
providers:
  oa: { api: openai, base_url: "${openai.url}", api_key: "\${KEY_ECHO_OA}" }
  an: { api: anthropic, base_url: "${anthropic.url}", api_key: "\${KEY_ECHO_AN}" }
  ge: { api: gemini, base_url: "${gemini.url}", api_key: "\${KEY_ECHO_GE}" }
  anp: { api: anthropic, base_url: "${openai.url}", api_key: "\${KEY_ECHO_ANP}" }
  gep: { api: gemini, base_url: "${openai.url}", api_key: "\${KEY_ECHO_GEP}" }
models:
  oa: { targets: [ { provider: oa, model: m-oa } ] }
  an: { targets: [ { provider: an, model: claude-echo } ] }
  ge: { targets: [ { provider: ge, model: gemini-echo } ] }
  anp: { targets: [ { provider: anp, model: claude-proxied } ] }
  gep: { targets: [ { provider: gep, model: gemini-proxied } ] }
`,
  });
});
afterAll(async () => {
  await gw?.stop();
  await Promise.all([openai?.close(), anthropic?.close(), gemini?.close()]);
});
beforeEach(() => {
  for (const fake of [openai, anthropic, gemini]) fake.reset();
});

const FRONT_DOORS = ['/v1/chat/completions', '/v1/messages'] as const;
type FrontDoor = (typeof FRONT_DOORS)[number];

function request(door: FrontDoor, model: string, stream: boolean): Promise<Response> {
  const body =
    door === '/v1/messages'
      ? { model, max_tokens: 64, stream, messages: [{ role: 'user', content: 'hi' }] }
      : { model, stream, messages: [{ role: 'user', content: 'hi' }] };
  return fetch(`${gw.url}${door}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Every byte of an answer a client could look at: status line, headers and body. */
async function answerBytes(res: Response): Promise<string> {
  return `${res.status} ${JSON.stringify([...res.headers])}\n${await res.text()}`;
}

/** The key, or any 10-character piece of it (a key cut in half still leaks), found in `text`. */
function leakedPiece(text: string, key: string): string | undefined {
  for (let i = 0; i + 10 <= key.length; i++) if (text.includes(key.slice(i, i + 10))) return key.slice(i, i + 10);
  return undefined;
}

function expectNoKey(answer: string): void {
  for (const key of Object.values(KEYS)) expect({ leaked: leakedPiece(answer, key), answer }).toEqual({ leaked: undefined, answer });
}

/** A stream whose error event the fake holds back until the client has the stream's 200 (the gateway committed). */
async function streamFailingAfterStart(door: FrontDoor, model: string, arm: (hold: Promise<void>) => void): Promise<string> {
  let release!: () => void;
  arm(new Promise<void>((resolve) => (release = resolve)));
  const res = await request(door, model, true);
  release();
  expect(res.status).toBe(200);
  return answerBytes(res);
}

const quota = (key: string) => `quota exceeded for key ${key}`;

/** An error page from a proxy that prints the request's headers, with the key straddling character 500. */
function headerPage(header: string, key: string): string {
  const head = `<html><body><h1>Upstream refused the request</h1><pre>request headers:\n`;
  const line = `${header}: `;
  return `${head}${'x'.repeat(490 - head.length - line.length)}${line}${key}\n</pre></body></html>`;
}

describe.each(FRONT_DOORS)('on %s', (door) => {
  test('an in-stream error event naming the key, before the first chunk, reaches the client redacted', async () => {
    openai.on('m-oa', { streamErrorAfterChunks: 0, errorMessage: quota(KEYS.oa), errorCode: KEYS.oa }, 1);
    anthropic.on('claude-echo', { streamErrorAfterDeltas: 0, errorType: 'invalid_request_error', errorMessage: quota(KEYS.an) }, 1);
    gemini.on('gemini-echo', { streamErrorAfterChunks: 0, errorMessage: quota(KEYS.ge) }, 1);
    for (const model of ['oa', 'an', 'ge'] as Provider[]) {
      const res = await request(door, model, true);
      const answer = await answerBytes(res);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(answer).toContain('quota exceeded for key [REDACTED]');
      expectNoKey(answer);
    }
  });

  test('an in-stream error event naming the key, after the first chunk, reaches the client redacted', async () => {
    const answers = [
      await streamFailingAfterStart(door, 'oa', (hold) =>
        openai.on('m-oa', { streamErrorAfterChunks: 2, errorMessage: quota(KEYS.oa), holdStreamError: hold }, 1),
      ),
      await streamFailingAfterStart(door, 'an', (hold) =>
        anthropic.on('claude-echo', { streamErrorAfterDeltas: 1, errorMessage: quota(KEYS.an), holdStreamError: hold }, 1),
      ),
      await streamFailingAfterStart(door, 'ge', (hold) =>
        gemini.on('gemini-echo', { streamErrorAfterChunks: 1, errorMessage: quota(KEYS.ge), holdStreamError: hold }, 1),
      ),
    ];
    for (const answer of answers) {
      expect(answer).toContain('quota exceeded for key [REDACTED]');
      expectNoKey(answer);
    }
  });

  test('a JSON error body naming the key, in its message or its code, reaches the client redacted', async () => {
    const answers: string[] = [];
    // 400: passed on as the client's answer; 500: retried elsewhere, then summarised in the all-failed error.
    for (const status of [400, 500]) {
      openai.on('m-oa', { status, errorMessage: quota(KEYS.oa), errorCode: KEYS.oa }, 2);
      anthropic.on('claude-echo', { status, errorMessage: quota(KEYS.an) }, 2);
      gemini.on('gemini-echo', { status, errorMessage: quota(KEYS.ge) }, 2);
      for (const model of ['oa', 'an', 'ge'] as Provider[]) {
        for (const stream of [false, true]) {
          const res = await request(door, model, stream);
          expect(res.status).toBeGreaterThanOrEqual(400);
          answers.push(await answerBytes(res));
        }
      }
    }
    for (const answer of answers) {
      expect(answer).toContain('quota exceeded for key [REDACTED]');
      expectNoKey(answer);
    }
  });

  test('a plain-text error page that prints the key as a request header, across the excerpt cut, shows none of it', async () => {
    const answers: string[] = [];
    // Gemini's request names no model in its body: the proxy's rule for it is for any model (the later rules win).
    openai.on('*', { status: 403, body: headerPage('x-goog-api-key', KEYS.gep), headers: { 'content-type': 'text/html' } }, 2);
    openai.on('m-oa', { status: 502, body: headerPage('api-key', KEYS.oa), headers: { 'content-type': 'text/html' } }, 2);
    openai.on('claude-proxied', { status: 401, body: headerPage('x-api-key', KEYS.anp), headers: { 'content-type': 'text/html' } }, 2);
    for (const model of ['oa', 'anp', 'gep'] as Provider[]) {
      for (const stream of [false, true]) {
        const res = await request(door, model, stream);
        expect(res.status).toBe(502);
        answers.push(await answerBytes(res));
      }
    }
    for (const answer of answers) {
      expect(answer).toContain('Upstream refused the request');
      expectNoKey(answer);
    }
  });
});
