/**
 * Routing and fallback through the real daemon against a fake OpenAI upstream with injected faults.
 */
import { readCompletion, readError, readJson, type EmbeddingsResponse, type ModelList, type PassthroughEcho, type ReadyBody } from '../helpers/answers';
import { readSse } from '../helpers/client';
import { gatewayWithFake } from '../helpers/rig';

const config = (url: string) => `
providers:
  primary:   { api: openai, base_url: "${url}", api_key: "sk-primary-secret-000111", timeout_ms: 1500 }
  secondary: { api: openai, base_url: "${url}", api_key: "sk-secondary-secret-000222", timeout_ms: 1500 }
  nokey:     { api: openai, base_url: "${url}", api_key: "\${SWITCHYARD_TEST_UNSET_KEY}" }
models:
  chat:
    strategy: ordered
    targets:
      - { provider: primary, model: model-a }
      - { provider: secondary, model: model-b }
    fallbacks: [backup]
  backup:
    targets: [ { provider: secondary, model: model-c } ]
  weighted:
    targets:
      - { provider: primary, model: heavy, weight: 9 }
      - { provider: primary, model: light, weight: 1 }
  only-missing:
    targets: [ { provider: nokey, model: whatever } ]
  single:
    targets: [ { provider: primary, model: model-a } ]
`;

const rig = gatewayWithFake(config);

function chat(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetch(`${rig.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer client-key-never-forwarded', ...headers },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
}

describe('routing and fallback', () => {
  test('a healthy first target answers, with the upstream model and the provider key (not the client key)', async () => {
    const res = await chat({ model: 'chat' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-provider')).toBe('primary');
    expect(res.headers.get('x-switchyard-model')).toBe('model-a');
    expect(res.headers.get('x-switchyard-attempts')).toBe('1');
    const body = await readCompletion(res);
    expect(body.choices[0].message.content).toBe('reply from model-a');
    expect(rig.fake.calls).toHaveLength(1);
    expect(rig.fake.calls[0].body?.model).toBe('model-a');
    expect(rig.fake.calls[0].headers.authorization).toBe('Bearer sk-primary-secret-000111');
  });

  test('a 500 from the first target fails over to the next target', async () => {
    rig.fake.on('model-a', { status: 500 });
    const res = await chat({ model: 'chat' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-provider')).toBe('secondary');
    expect(res.headers.get('x-switchyard-attempts')).toBe('2');
    expect(rig.fake.callsFor('model-a')).toHaveLength(1);
    expect(rig.fake.callsFor('model-b')).toHaveLength(1);
  });

  test('a 429 with Retry-After fails over', async () => {
    rig.fake.on('model-a', { status: 429, headers: { 'retry-after': '30' } });
    const res = await chat({ model: 'chat' });
    expect(res.status).toBe(200);
    expect((await readCompletion(res)).model).toBe('model-b');
  });

  test('a dropped connection and a hanging upstream both fail over to the fallback alias', async () => {
    rig.fake.on('model-a', { drop: true });
    rig.fake.on('model-b', { hang: true });
    const res = await chat({ model: 'chat' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('model-c');
    expect(res.headers.get('x-switchyard-attempts')).toBe('3');
  });

  test('a target slower than its timeout is abandoned and the answer comes from the next', async () => {
    rig.fake.on('model-a', { delayMs: 3000 });
    const res = await chat({ model: 'chat' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('model-b');
  });

  test('a 400 caused by the request is returned as is, without trying other targets', async () => {
    rig.fake.on('model-a', { status: 400, errorMessage: 'temperature is invalid for this model', errorCode: 'invalid_value' });
    const res = await chat({ model: 'chat' });
    expect(res.status).toBe(400);
    const body = await readError(res);
    expect(body.error.message).toBe('temperature is invalid for this model');
    expect(body.error.code).toBe('invalid_value');
    expect(rig.fake.calls).toHaveLength(1);
  });

  test('when every target fails, the client gets a 502 summarising each attempt, without keys', async () => {
    rig.fake.on('*', { status: 500, errorMessage: 'broken; key sk-primary-secret-000111 is fine' });
    const res = await chat({ model: 'chat' });
    expect(res.status).toBe(502);
    const body = await readError(res);
    expect(body.error.code).toBe('all_targets_failed');
    expect(body.error.message).toContain('primary/model-a');
    expect(body.error.message).toContain('secondary/model-c');
    expect(body.error.message).not.toContain('sk-primary-secret-000111');
    expect(JSON.stringify(rig.gw.logs())).not.toContain('sk-primary-secret-000111');
  });

  test('when every target times out, the status is 504', async () => {
    rig.fake.on('model-a', { hang: true });
    const res = await chat({ model: 'single' });
    expect(res.status).toBe(504);
    expect((await readError(res)).error.type).toBe('timeout_error');
  });

  test('when every target is rate limited, the client gets 429 with Retry-After', async () => {
    rig.fake.on('model-a', { status: 429, headers: { 'retry-after': '7' } });
    const res = await chat({ model: 'single' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
  });

  test('an alias whose only provider has no key answers 503 naming the missing variable', async () => {
    const res = await chat({ model: 'only-missing' });
    expect(res.status).toBe(503);
    expect((await readError(res)).error.message).toContain('SWITCHYARD_TEST_UNSET_KEY');
    expect(rig.fake.calls).toHaveLength(0);
  });

  test('weights split traffic roughly in proportion', async () => {
    for (let i = 0; i < 200; i++) expect((await chat({ model: 'weighted' })).status).toBe(200);
    const heavy = rig.fake.callsFor('heavy').length;
    expect(heavy + rig.fake.callsFor('light').length).toBe(200);
    // Expected 180; a binomial(200, 0.9) lies within 150..199 with overwhelming probability.
    expect(heavy).toBeGreaterThan(150);
    expect(heavy).toBeLessThan(200);
  });

  test('an unknown alias is a 404 in OpenAI error shape', async () => {
    const res = await chat({ model: 'nope' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: expect.objectContaining({ code: 'model_not_found', param: 'model', type: 'invalid_request_error' }) });
  });

  test("the upstream's rate-limit headers reach the client in OpenAI's spelling", async () => {
    rig.fake.on('model-a', { headers: { 'x-ratelimit-limit-requests': '500', 'x-ratelimit-remaining-requests': '42', 'x-ratelimit-reset-requests': '6m0s' } });
    const res = await chat({ model: 'chat' });
    expect(res.headers.get('x-ratelimit-limit-requests')).toBe('500');
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('42');
    expect(res.headers.get('x-ratelimit-reset-requests')).toBe('360s');
  });

  test('the x-request-id the client sent is echoed', async () => {
    const res = await chat({ model: 'chat' }, { 'x-request-id': 'trace-123' });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
  });
});

describe('streaming', () => {
  test('a stream is relayed chunk by chunk and ends with [DONE]; the usage chunk is hidden unless asked for', async () => {
    const res = await chat({ model: 'chat', stream: true });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = await readSse(res);
    expect(events[events.length - 1]).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('reply from model-a');
    expect(chunks.some((c) => c.usage)).toBe(false);
    // The gateway asked the upstream for usage anyway, for accounting.
    expect(rig.fake.calls[0].body?.stream_options).toEqual({ include_usage: true });
  });

  test('a client that asks for usage gets the usage chunk', async () => {
    const res = await chat({ model: 'chat', stream: true, stream_options: { include_usage: true } });
    const chunks = (await readSse(res)).slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks[chunks.length - 1].usage.total_tokens).toBeGreaterThan(0);
  });

  test('a failure before the first chunk fails over invisibly', async () => {
    rig.fake.on('model-a', { status: 500 });
    const res = await chat({ model: 'chat', stream: true });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events[events.length - 1]).toBe('[DONE]');
    expect(res.headers.get('x-switchyard-model')).toBe('model-b');
  });

  test('a stream cut after it started ends with an error event and no [DONE]', async () => {
    rig.fake.on('model-a', { dropAfterChunks: 2, chunkDelayMs: 100, reply: 'one two three four' });
    const res = await chat({ model: 'chat', stream: true });
    const events = await readSse(res);
    expect(events).not.toContain('[DONE]');
    const last = JSON.parse(events[events.length - 1]);
    expect(last.error.code).toBe('upstream_stream_failed');
    await rig.gw.waitForLog((r) => r.message === 'stream failed after first byte');
  });
});

describe('request errors', () => {
  test('invalid JSON is a 400 and never reaches the upstream', async () => {
    const res = await fetch(`${rig.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model": "chat", ',
    });
    expect(res.status).toBe(400);
    expect((await readError(res)).error.code).toBe('invalid_json');
    expect(rig.fake.calls).toHaveLength(0);
  });

  test('a body failing the request schema is a 400 naming the parameter', async () => {
    const res = await chat({ model: 'chat', messages: 'hello' });
    expect(res.status).toBe(400);
    expect((await readError(res)).error.param).toBe('messages');
    const res2 = await chat({ model: 'chat', temperature: 7 });
    expect(res2.status).toBe(400);
    expect(rig.fake.calls).toHaveLength(0);
  });

  test('a body over the limit is a 413', async () => {
    const res = await chat({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(33 * 1024 * 1024) }] });
    expect(res.status).toBe(413);
    expect((await readError(res)).error.code).toBe('request_too_large');
  });

  test('a non-JSON content type is refused with 415', async () => {
    const res = await fetch(`${rig.gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(res.status).toBe(415);
  });

  test('an OpenAI-compatible answer reaches the client as the upstream wrote it, byte for byte', async () => {
    // Spacing, field order and an unknown field the gateway's own serialisation would not reproduce.
    const upstreamText =
      '{ "id": "chatcmpl-raw", "object": "chat.completion", "created": 1, "model": "model-a", "vendor_extra": {"b": 2, "a": 1},\n "choices": [{"index": 0, "message": {"role": "assistant", "content": "raw"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 4, "completion_tokens": 1, "total_tokens": 5} }';
    rig.fake.on('model-a', { body: upstreamText });
    const res = await chat({ model: 'single' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(upstreamText)));
    expect(await res.text()).toBe(upstreamText);
  });

  test('unknown fields are forwarded untouched to OpenAI-compatible upstreams', async () => {
    await chat({ model: 'chat', some_new_openai_param: { a: 1 }, reasoning_effort: 'low' });
    expect(rig.fake.calls[0].body).toMatchObject({ some_new_openai_param: { a: 1 }, reasoning_effort: 'low' });
  });
});

describe('other endpoints', () => {
  test('GET /v1/models lists the aliases', async () => {
    const body = await readJson<ModelList>(await fetch(`${rig.gw.url}/v1/models`));
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id).sort()).toEqual(['backup', 'chat', 'only-missing', 'single', 'weighted']);
  });

  test('POST /v1/embeddings is routed like chat', async () => {
    rig.fake.on('model-a', { status: 500 });
    const res = await fetch(`${rig.gw.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', input: ['a', 'b'] }),
    });
    expect(res.status).toBe(200);
    expect((await readJson<EmbeddingsResponse>(res)).data).toHaveLength(2);
    expect(res.headers.get('x-switchyard-model')).toBe('model-b');
  });

  test('an embeddings answer is relayed as the upstream wrote it', async () => {
    const upstreamText =
      '{"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [0.5, -1e-7]}], "model": "model-a", "usage": {"prompt_tokens": 1, "total_tokens": 1}}';
    rig.fake.on('model-a', { body: upstreamText });
    const res = await fetch(`${rig.gw.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'single', input: 'a' }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(upstreamText);
  });

  test('/health/ready reports the config hash and which providers are unavailable, without secrets', async () => {
    const res = await fetch(`${rig.gw.url}/health/ready`);
    const text = await res.text();
    expect(res.status).toBe(200);
    const body = JSON.parse(text) as ReadyBody;
    expect(body.config.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(body.providers.nokey).toEqual({ api: 'openai', available: false, missing_env: ['SWITCHYARD_TEST_UNSET_KEY'] });
    expect(text).not.toContain('sk-primary');
  });

  test('passthrough forwards to the provider base URL with the provider key, not the client one', async () => {
    const res = await fetch(`${rig.gw.url}/passthrough/primary/files?purpose=batch`, { headers: { authorization: 'Bearer client-key' } });
    expect(res.status).toBe(200);
    const body = await readJson<PassthroughEcho>(res);
    expect(body.echo.path).toBe('/v1/files?purpose=batch');
    // The provider's key went upstream; echoed back, it is redacted on its way to the client.
    expect(rig.fake.calls.at(-1)!.headers.authorization).toBe('Bearer sk-primary-secret-000111');
    expect(body.echo.authorization).toBe('Bearer [REDACTED]');
  });

  test('passthrough refuses unknown providers and paths that climb out of the base URL', async () => {
    expect((await fetch(`${rig.gw.url}/passthrough/elsewhere/files`)).status).toBe(404);
    // WHATWG URLs already fold a literal /../; an encoded one must be refused by the gateway itself.
    expect((await fetch(`${rig.gw.url}/passthrough/primary/files%2F..%2F..%2Fadmin`)).status).toBe(400);
    expect((await fetch(`${rig.gw.url}/passthrough/primary/http:%2F%2Fevil.example%2Fx`)).status).toBe(400);
  });
});
