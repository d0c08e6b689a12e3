/**
 * Google Vertex AI (`api: vertex`) through the real gateway (in-process), driven by the official `openai` and
 * `@anthropic-ai/sdk` clients: Gemini and Claude models, authenticated with a service-account key file (a
 * throwaway RSA key; the fake's token endpoint verifies the JWT assertion's signature) or a Vertex API key.
 */
import crypto from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { startFakeVertex, type FakeVertex } from '../../src/testing/fake-vertex';
import { gatewayWithFakes } from '../helpers/rig';

const EMAIL = 'switchyard@acme-prod.iam.gserviceaccount.com';
const ROGUE = 'rogue@acme-prod.iam.gserviceaccount.com';
const API_KEY = 'vertex-express-key-0123456789';

const config = (fake: FakeVertex, keyFile: string, rogueKeyFile: string) => `
retry: { attempts: 1 }
providers:
  vertex:    { api: vertex, base_url: "http://127.0.0.1:${fake.port}/v1", project: acme-prod, region: us-east5, credentials_file: "${keyFile}" }
  vertex-short: { api: vertex, base_url: "http://127.0.0.1:${fake.port}/v1", project: acme-prod, region: us-east5, credentials_file: "${keyFile}" }
  vertex-env: { api: vertex, base_url: "http://127.0.0.1:${fake.port}/v1", project: acme-prod, region: global }
  vertex-key: { api: vertex, base_url: "http://127.0.0.1:${fake.port}/v1", api_key: "${API_KEY}" }
  vertex-rogue: { api: vertex, base_url: "http://127.0.0.1:${fake.port}/v1", project: acme-prod, credentials_file: "${rogueKeyFile}" }
models:
  gemini: { targets: [ { provider: vertex, model: gemini-2.5-flash } ] }
  claude: { targets: [ { provider: vertex, model: "claude-sonnet-4-5@20250929" } ] }
  claude-short: { targets: [ { provider: vertex-short, model: "claude-haiku-4-5@20251001" } ] }
  gemini-env: { targets: [ { provider: vertex-env, model: gemini-2.5-flash } ] }
  gemini-key: { targets: [ { provider: vertex-key, model: gemini-2.5-flash } ] }
  rogue-then-key:
    strategy: ordered
    targets:
      - { provider: vertex-rogue, model: gemini-2.5-pro }
      - { provider: vertex-key, model: gemini-2.5-flash }
`;

function writeKeyFile(dir: string, name: string, email: string, privateKey: crypto.KeyObject, tokenUri: string): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      type: 'service_account',
      project_id: 'acme-prod',
      private_key_id: 'key-1',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: email,
      token_uri: tokenUri,
    }),
  );
  return file;
}

const account = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const rogue = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
// The rogue account is known to the fake under its email, but signs with a key that is not the registered one.
const registeredForRogue = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

const rig = gatewayWithFakes(
  {
    fake: () =>
      startFakeVertex({
        project: 'acme-prod',
        serviceAccounts: { [EMAIL]: account.publicKey, [ROGUE]: registeredForRogue.publicKey },
        apiKeys: [API_KEY],
      }),
  },
  ({ fake }) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-vertex-'));
    const keyFile = writeKeyFile(dir, 'sa.json', EMAIL, account.privateKey, fake.tokenUri);
    const rogueKeyFile = writeKeyFile(dir, 'rogue.json', ROGUE, rogue.privateKey, fake.tokenUri);
    return { config: config(fake, keyFile, rogueKeyFile), env: { GOOGLE_APPLICATION_CREDENTIALS: keyFile } };
  },
);
beforeEach(() => rig.fakes.fake.setTokenLifetime(3600));

const modelCalls = () => rig.fakes.fake.calls.filter((c) => c.path !== '/token');

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('Gemini on Vertex AI', () => {
  test('a generateContent answer arrives as an OpenAI completion, under the project and region, with a service-account token', async () => {
    rig.fakes.fake.on('*', { usage: { input: 12, output: 4, cacheRead: 30 } });
    const completion = await rig.openai.chat.completions.create({
      model: 'gemini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
    });
    expect(completion.choices[0].message.content).toBe('reply from gemini-2.5-flash');
    expect(completion.usage).toMatchObject({ prompt_tokens: 42, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 30 } });
    const call = modelCalls()[0];
    expect(call.path).toBe('/v1/projects/acme-prod/locations/us-east5/publishers/google/models/gemini-2.5-flash:generateContent');
    expect(String(call.headers.authorization)).toMatch(/^Bearer ya29\.fake-/);
    expect(call.body).toMatchObject({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] });
  });

  test('a stream arrives as OpenAI chunks', async () => {
    rig.fakes.fake.on('*', { reply: 'streamed from vertex gemini' });
    const stream = await rig.openai.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('streamed from vertex gemini');
    expect(modelCalls()[0].path).toContain(':streamGenerateContent?alt=sse');
  });

  test('a function call comes back as tool_calls', async () => {
    rig.fakes.fake.on('*', { toolCall: { name: 'get_weather', args: { city: 'Lyon' } } });
    const completion = await rig.openai.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'Lyon?' }], tools: [weatherTool] });
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion.choices[0].message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } });
  });

  test('the key file named by GOOGLE_APPLICATION_CREDENTIALS is used when the provider names none, on the global endpoint', async () => {
    await rig.openai.chat.completions.create({ model: 'gemini-env', messages: [{ role: 'user', content: 'Hi' }] });
    expect(modelCalls()[0].path).toBe('/v1/projects/acme-prod/locations/global/publishers/google/models/gemini-2.5-flash:generateContent');
  });

  test('a Vertex API key is sent as x-goog-api-key, and no token is fetched', async () => {
    await rig.openai.chat.completions.create({ model: 'gemini-key', messages: [{ role: 'user', content: 'Hi' }] });
    const call = modelCalls()[0];
    expect(call.headers['x-goog-api-key']).toBe(API_KEY);
    expect(call.headers.authorization).toBeUndefined();
    expect(call.path).toBe('/v1/publishers/google/models/gemini-2.5-flash:generateContent');
    expect(rig.fakes.fake.calls.filter((c) => c.path === '/token')).toHaveLength(0);
  });

  test('RESOURCE_EXHAUSTED is a 429 for the client', async () => {
    rig.fakes.fake.on('*', { status: 429, errorMessage: 'Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute' });
    const err = await rig.openai.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
  });
});

describe('Claude on Vertex AI', () => {
  test('rawPredict gets the Anthropic body without model and with the Vertex anthropic_version', async () => {
    rig.fakes.fake.on('*', { usage: { input: 10, output: 5, cacheRead: 100, cacheWrite: 20 } });
    const completion = await rig.openai.chat.completions.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'Hello' }] });
    expect(completion.choices[0].message.content).toBe('reply from claude-sonnet-4-5@20250929');
    expect(completion.usage).toMatchObject({ prompt_tokens: 130, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 100 } });
    const call = modelCalls()[0];
    expect(call.path).toBe('/v1/projects/acme-prod/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5%4020250929:rawPredict');
    expect(call.body).toEqual({
      anthropic_version: 'vertex-2023-10-16',
      max_tokens: 100,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    });
  });

  test('streamRawPredict streams Claude, tool use included, to an Anthropic client on /v1/messages', async () => {
    rig.fakes.fake.on('*', { toolCall: { name: 'get_weather', args: { city: 'Bern' } } });
    const stream = rig.anthropic.messages.stream({
      model: 'claude',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Bern?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: 'Bern' } });
    expect(modelCalls()[0].path).toContain(':streamRawPredict');
  });

  test("Claude's own overloaded error, passed through Vertex in Anthropic's shape, is read as Anthropic's and failed over", async () => {
    rig.fakes.fake.on('*', { status: 529, anthropicErrorType: 'overloaded_error', errorMessage: 'Overloaded' });
    const err = await rig.openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    // Retryable, so the routing tried every target (one here); all overloaded: 503 naming the upstream 529.
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((err as Error).message).toContain('→ 529 (Overloaded)');
  });

  test('a prompt too long for Claude on Vertex is a 400 context_length_exceeded', async () => {
    rig.fakes.fake.on('*', { status: 400, anthropicErrorType: 'invalid_request_error', errorMessage: 'prompt is too long: 210000 tokens > 200000 maximum' });
    const err = await rig.openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('context_length_exceeded');
  });
});

describe('Vertex AI service-account tokens', () => {
  test('a token is fetched once and reused while it is fresh', async () => {
    const before = rig.fakes.fake.tokensIssued;
    await rig.openai.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'one' }] });
    await rig.openai.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'two' }] });
    const [a, b] = modelCalls();
    expect(a.headers.authorization).toBe(b.headers.authorization);
    expect(rig.fakes.fake.tokensIssued - before).toBeLessThanOrEqual(1);
  });

  test('a token that would expire within the refresh margin is replaced before the next request', async () => {
    rig.fakes.fake.setTokenLifetime(120); // under the five-minute margin: stale as soon as it is issued
    // A provider of its own, so its first request fetches a short-lived token.
    await rig.openai.chat.completions.create({ model: 'claude-short', max_tokens: 10, messages: [{ role: 'user', content: 'one' }] });
    const before = rig.fakes.fake.tokensIssued;
    await rig.openai.chat.completions.create({ model: 'claude-short', max_tokens: 10, messages: [{ role: 'user', content: 'two' }] });
    expect(rig.fakes.fake.tokensIssued).toBe(before + 1);
    const [a, b] = modelCalls();
    expect(a.headers.authorization).not.toBe(b.headers.authorization);
  });

  test('a key the token endpoint does not accept is the gateway credentials problem, and the request fails over', async () => {
    const res = await rig.openai.chat.completions.create({ model: 'rogue-then-key', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(res.response.headers.get('x-switchyard-provider')).toBe('vertex-key');
    expect(modelCalls().map((c) => c.path)).toEqual(['/v1/publishers/google/models/gemini-2.5-flash:generateContent']);
  });
});
