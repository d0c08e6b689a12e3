/**
 * POST /v1/messages/count_tokens through the real gateway, driven by the official `@anthropic-ai/sdk` client's
 * `messages.countTokens`: exact (Anthropic's own count, from the fake Anthropic API) for an Anthropic-backed
 * alias, an o200k_base estimate for any other, the estimate again when Anthropic fails; errors in Anthropic's
 * shape; the gateway's plugins see the request (auth) but none prices, caches or rate-limits it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeAnthropic } from '../../src/testing/fake-anthropic';
import { startFakeOpenAI } from '../../src/testing/fake-openai';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';
import { gatewayWithFakes } from '../helpers/rig';

const providers = ({ anthropicFake, openaiFake }: { anthropicFake: { url: string }; openaiFake: { url: string } }) => `
providers:
  claude: { api: anthropic, base_url: "${anthropicFake.url}", api_key: "sk-ant-gateway-key-0123456789" }
  gpt:    { api: openai, base_url: "${openaiFake.url}", api_key: "sk-openai-gateway-key-0123456789" }
models:
  claude: { targets: [ { provider: claude, model: claude-sonnet-4-5 } ] }
  gpt:    { targets: [ { provider: gpt, model: gpt-4o-mini } ] }
`;
const rig = gatewayWithFakes({ anthropicFake: startFakeAnthropic, openaiFake: startFakeOpenAI }, providers);

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('messages.countTokens for an Anthropic-backed alias', () => {
  test("answers Anthropic's own count, marked exact, asking its count_tokens endpoint with the real model and the provider's key", async () => {
    rig.fakes.anthropicFake.on('claude-sonnet-4-5', { inputTokens: 1234 });
    const { data, response } = await rig.anthropic.messages
      .countTokens({ model: 'claude', system: 'Be brief', messages: [{ role: 'user', content: 'Hello' }], tools: [weatherTool] })
      .withResponse();
    expect(data).toEqual({ input_tokens: 1234 });
    expect(response.headers.get('x-switchyard-token-count')).toBe('exact');
    expect(response.headers.get('x-switchyard-provider')).toBe('claude');
    expect(rig.fakes.anthropicFake.calls).toHaveLength(1);
    const call = rig.fakes.anthropicFake.calls[0];
    expect(call.path).toBe('/v1/messages/count_tokens');
    expect(call.headers['x-api-key']).toBe('sk-ant-gateway-key-0123456789');
    expect(call.headers['anthropic-version']).toBeDefined();
    expect(call.body).toEqual({ model: 'claude-sonnet-4-5', system: 'Be brief', messages: [{ role: 'user', content: 'Hello' }], tools: [weatherTool] });
  });

  test('a max_tokens left in the body (copied from a messages.create call) is accepted and not sent on: Anthropic refuses it there', async () => {
    const res = await post(`${rig.gw.url}/v1/messages/count_tokens`, { model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-token-count')).toBe('exact');
    expect(rig.fakes.anthropicFake.calls[0].body).not.toHaveProperty('max_tokens');
  });

  test('when Anthropic fails, the answer is the estimate, and the headers say so', async () => {
    rig.fakes.anthropicFake.on('claude-sonnet-4-5', { status: 529 });
    const { data, response } = await rig.anthropic.messages
      .countTokens({ model: 'claude', messages: [{ role: 'user', content: 'Hello there' }] })
      .withResponse();
    expect(Number.isInteger(data.input_tokens)).toBe(true);
    expect(data.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchyard-token-count')).toBe('estimate');
    expect(response.headers.get('x-switchyard-token-count-fallback')).toBe('status_529');
    expect(rig.fakes.anthropicFake.calls).toHaveLength(1);
  });

  test("Anthropic's refusal of the request reaches the client as a 400 in its shape, with secrets redacted", async () => {
    rig.fakes.anthropicFake.on('claude-sonnet-4-5', { status: 400, errorMessage: 'bad thing near sk-ant-gateway-key-0123456789' });
    const err = await rig.anthropic.messages.countTokens({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    const e = err as InstanceType<typeof Anthropic.BadRequestError>;
    expect(e.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(JSON.stringify(e.error)).toContain('[REDACTED]');
    expect(JSON.stringify(e.error)).not.toContain('sk-ant-gateway-key');
  });
});

describe('messages.countTokens for other backends', () => {
  test('answers an estimate: a positive integer, marked estimate, that grows with the prompt; the upstream is not called', async () => {
    const count = (text: string) => rig.anthropic.messages.countTokens({ model: 'gpt', messages: [{ role: 'user', content: text }] }).withResponse();
    const short = await count('Hello');
    const long = await count('Hello '.repeat(200));
    expect(short.response.headers.get('x-switchyard-token-count')).toBe('estimate');
    expect(Number.isInteger(short.data.input_tokens)).toBe(true);
    expect(short.data.input_tokens).toBeGreaterThan(0);
    expect(long.data.input_tokens).toBeGreaterThan(short.data.input_tokens + 150);
    const withTool = await rig.anthropic.messages.countTokens({ model: 'gpt', messages: [{ role: 'user', content: 'Hello' }], tools: [weatherTool] });
    expect(withTool.input_tokens).toBeGreaterThan(short.data.input_tokens);
    expect(rig.fakes.openaiFake.calls).toHaveLength(0);
  });

  test('answers without the /v1 prefix too', async () => {
    const res = await post(`${rig.gw.url}/messages/count_tokens`, { model: 'gpt', messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
  });
});

describe('count_tokens errors and accounting', () => {
  test("a malformed body gets a 400 in Anthropic's shape, naming the field; the request is logged once", async () => {
    const res = await post(`${rig.gw.url}/v1/messages/count_tokens`, { model: 'claude' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'messages: Field required' } });
    const id = res.headers.get('x-request-id');
    const line = await rig.gw.waitForLog((r) => r.message === 'request' && r.request_id === id);
    expect(line).toMatchObject({ endpoint: 'count_tokens', status: 400 });
    expect(rig.gw.logRecords().filter((r) => r.message === 'request' && r.request_id === id)).toHaveLength(1);
    expect(rig.fakes.anthropicFake.calls).toHaveLength(0);
  });

  test('the SDK sees a malformed message as a BadRequestError, an unknown alias as NotFoundError', async () => {
    const bad = await rig.anthropic.messages.countTokens({ model: 'claude', messages: [{ role: 'system' as 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    const missing = await rig.anthropic.messages.countTokens({ model: 'nope', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
  });

  test('a counted request is logged once, as count_tokens, with what served it', async () => {
    const { response } = await rig.anthropic.messages.countTokens({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    const id = response.headers.get('x-request-id');
    const line = await rig.gw.waitForLog((r) => r.message === 'request' && r.request_id === id);
    expect(line).toMatchObject({ endpoint: 'count_tokens', status: 200 });
    expect(rig.gw.logRecords().filter((r) => r.message === 'request' && r.request_id === id)).toHaveLength(1);
  });
});

describe("count_tokens under the gateway's plugins", () => {
  let guarded: InProcessGateway;
  const KEY = 'sk-team-a-secret-123456';
  const as = (apiKey: string) => new Anthropic({ baseURL: guarded.url, apiKey, maxRetries: 0 });

  beforeAll(async () => {
    guarded = await startInProcess({
      config: `${providers(rig.fakes)}
plugins:
  - use: auth
    keys:
      - { name: team-a, key: "${KEY}", models: [claude] }
  - { use: rate-limit, store: memory, max_queue_ms: 0, per_alias: { claude: { tpm: 20 } } }
  - { use: cache, store: memory }
  - { use: cost-log, sink: "jsonl://./spend.jsonl" }
`,
    });
  });
  afterAll(async () => {
    await guarded?.stop();
  });

  test('auth sees it: no key or a wrong key is a 401, an alias the key may not use a 403, in Anthropic shape', async () => {
    const wrong = await as('sk-wrong-key-000000')
      .messages.countTokens({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((wrong as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const none = await post(`${guarded.url}/v1/messages/count_tokens`, { model: 'claude', messages: [{ role: 'user', content: 'Hi' }] });
    expect(none.status).toBe(401);
    const forbidden = await as(KEY)
      .messages.countTokens({ model: 'gpt', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(rig.fakes.anthropicFake.calls).toHaveLength(0);
  });

  test('it is not cached, not charged and not held to token budgets: each count asks Anthropic, and no spend is logged', async () => {
    const big = 'word '.repeat(400);
    const params = { model: 'claude', messages: [{ role: 'user' as const, content: big }] };
    const first = await as(KEY).messages.countTokens(params).withResponse();
    const second = await as(KEY).messages.countTokens(params).withResponse();
    expect(first.response.headers.get('x-switchyard-token-count')).toBe('exact');
    expect(second.response.headers.get('x-switchyard-cache')).toBeNull();
    expect(rig.fakes.anthropicFake.calls).toHaveLength(2);
    const id = second.response.headers.get('x-request-id');
    await guarded.waitForLog((r) => r.message === 'request' && r.request_id === id);
    const spend = path.join(guarded.dir, 'spend.jsonl');
    expect(existsSync(spend) ? readFileSync(spend, 'utf8') : '').toBe('');
    // The same prompt as model calls is held to the alias's 20 tokens a minute (a full bucket admits one request).
    await as(KEY).messages.create({ ...params, max_tokens: 5 });
    const call = await as(KEY)
      .messages.create({ ...params, max_tokens: 5 })
      .catch((e: unknown) => e);
    expect(call).toBeInstanceOf(Anthropic.RateLimitError);
  });
});
