/**
 * Fallbacks beyond "next alias" through the real daemon: context_window_fallbacks when the upstream says the
 * prompt is too long, and the client's per-request `fallbacks` (checked, and stripped before upstream).
 */
import { readError } from '../helpers/answers';
import { gatewayWithFake } from '../helpers/rig';
import { chat } from '../helpers/client';

const config = (url: string) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-up", timeout_ms: 3000 }
models:
  small:       { targets: [ { provider: up, model: small-8k } ], context_window_fallbacks: [long-context], fallbacks: [other] }
  plain-small: { targets: [ { provider: up, model: plain-8k } ] }
  long-context: { targets: [ { provider: up, model: big-1m } ] }
  lone:        { targets: [ { provider: up, model: lone } ] }
  configured:  { targets: [ { provider: up, model: configured } ], fallbacks: [other] }
  other:       { targets: [ { provider: up, model: other } ] }
  spare:       { targets: [ { provider: up, model: spare } ] }
`;

const tooLong = {
  status: 400,
  errorCode: 'context_length_exceeded',
  errorMessage: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
};

const rig = gatewayWithFake(config);

describe('context-window fallbacks', () => {
  test('a prompt too long for the model goes to the context_window_fallbacks instead of a 400', async () => {
    rig.fake.on('small-8k', tooLong);
    const res = await chat(rig.gw.url, { model: 'small' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('big-1m');
    expect(rig.fake.callsFor('other')).toHaveLength(0); // the ordinary fallbacks are for failures, not for size
  });

  test('without context_window_fallbacks the overflow is returned to the client as a 400', async () => {
    rig.fake.on('plain-8k', tooLong);
    const res = await chat(rig.gw.url, { model: 'plain-small' });
    expect(res.status).toBe(400);
    expect((await readError(res)).error.code).toBe('context_length_exceeded');
  });
});

describe('per-request fallbacks', () => {
  test('"fallbacks" in the body extends the chain, and is stripped before the upstream', async () => {
    rig.fake.on('lone', { status: 500 });
    const res = await chat(rig.gw.url, { model: 'lone', fallbacks: ['spare'] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('spare');
    for (const call of rig.fake.calls) expect(call.body).not.toHaveProperty('fallbacks');
  });

  test('"fallbacks" in the body overrides the configured fallbacks', async () => {
    rig.fake.on('configured', { status: 503 });
    const res = await chat(rig.gw.url, { model: 'configured', fallbacks: ['spare'] });
    expect(res.headers.get('x-switchyard-model')).toBe('spare');
    expect(rig.fake.callsFor('other')).toHaveLength(0);
  });

  test('embeddings take "fallbacks" too, stripped before the upstream', async () => {
    rig.fake.on('lone', { status: 500 });
    const res = await fetch(`${rig.gw.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'lone', input: 'hello', fallbacks: ['spare'] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-model')).toBe('spare');
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(1);
    for (const call of rig.fake.calls) expect(call.body).not.toHaveProperty('fallbacks');
  });

  test('a fallback naming an unknown model is a 400 before any upstream call', async () => {
    const res = await chat(rig.gw.url, { model: 'lone', fallbacks: ['nope'] });
    expect(res.status).toBe(400);
    expect((await readError(res)).error).toMatchObject({ param: 'fallbacks', code: 'model_not_found' });
    expect(rig.fake.calls).toHaveLength(0);
  });
});
