/**
 * Capability skipping through the real gateway: a request that needs tool calling, image input, structured
 * output or reasoning skips a target whose model the catalog says lacks it (the attempt record says why), is
 * served by the next, and gets a 400 naming the capability when every target lacks it. A flag the catalog does
 * not give, or a model it does not know, never skips.
 */
import OpenAI from 'openai';
import { startFakeVendor } from '../../src/testing/fake-vendors';
import { gatewayWithFakes } from '../helpers/rig';

const weather: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};
const hi: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];

const rig = gatewayWithFakes({ groq: () => startFakeVendor('groq', { key: 'gsk-test' }), oai: () => startFakeVendor('ollama') }, ({ groq, oai }) => ({
  env: { GROQ_API_KEY: 'gsk-test' },
  config: `
providers:
  groq: { preset: groq, base_url: "${groq.url}" }
  oai:  { preset: openai, base_url: "${oai.url}", api_key: "sk-test" }
models:
  tools-chat:
    strategy: ordered
    targets:
      - { provider: groq, model: groq/compound }
      - { provider: groq, model: llama-3.3-70b-versatile }
  vision:
    strategy: ordered
    targets:
      - { provider: groq, model: llama-3.1-8b-instant }
      - { provider: groq, model: meta-llama/llama-4-scout-17b-16e-instruct }
  plain:
    targets: [ { provider: groq, model: llama-3.3-70b-versatile } ]
  old-gpt:
    targets: [ { provider: oai, model: gpt-3.5-turbo } ]
  unknown-model:
    targets: [ { provider: groq, model: my-finetune-not-in-catalog } ]
`,
}));
test('a request with tools skips a model without tool calling and is served by the next target', async () => {
  const r = await rig.openai.chat.completions.create({ model: 'tools-chat', messages: hi, tools: [weather] });
  expect(r.choices[0].message.content).toBe('reply from llama-3.3-70b-versatile');
  expect(rig.fakes.groq.calls.map((c) => c.body?.model)).toEqual(['llama-3.3-70b-versatile']);
  const res = await fetch(`${rig.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'tools-chat', messages: hi, tools: [weather] }),
  });
  expect(res.headers.get('x-switchyard-attempts')).toBe('2');
});

test('the log line shows the skipped attempt before the served one', async () => {
  const { response } = await rig.openai.chat.completions.create({ model: 'tools-chat', messages: hi, tools: [weather] }).withResponse();
  const id = response.headers.get('x-request-id');
  const line = await rig.gw.waitForLog((r) => r.message === 'request' && r.request_id === id);
  expect(line.attempt_summary).toBe('groq:skipped,groq:200');
});

test('the same request without tools goes to the first target', async () => {
  await rig.openai.chat.completions.create({ model: 'tools-chat', messages: hi });
  expect(rig.fakes.groq.calls.map((c) => c.body?.model)).toEqual(['groq/compound']);
});

test('an image skips a text-only model', async () => {
  await rig.openai.chat.completions.create({
    model: 'vision',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        ],
      },
    ],
  });
  expect(rig.fakes.groq.calls.map((c) => c.body?.model)).toEqual(['meta-llama/llama-4-scout-17b-16e-instruct']);
});

test('when every target lacks the capability the client gets a 400 naming it, and no provider is called', async () => {
  const err = await rig.openai.chat.completions
    .create({ model: 'plain', messages: hi, reasoning_effort: 'high' })
    .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
  expect(err).toBeInstanceOf(OpenAI.APIError);
  const e = err as InstanceType<typeof OpenAI.APIError>;
  expect(e.status).toBe(400);
  expect(e.code).toBe('model_lacks_capability');
  expect(e.param).toBe('reasoning_effort');
  expect(e.message).toContain('No target of model "plain" supports reasoning');
  expect(e.message).toContain('groq/llama-3.3-70b-versatile → model lacks reasoning (catalog)');
  expect(rig.fakes.groq.calls).toHaveLength(0);
});

test('structured output skips a model the catalog says lacks it', async () => {
  const err = await rig.openai.chat.completions
    .create({
      model: 'old-gpt',
      messages: hi,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
    })
    .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
  expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
  expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain('structured output');
  expect(rig.fakes.oai.calls).toHaveLength(0);
});

test('a flag the catalog leaves out is unknown, and unknown does not skip', async () => {
  // llama-3.3-70b-versatile has no structured_output flag in the catalog.
  const r = await rig.openai.chat.completions.create({
    model: 'plain',
    messages: hi,
    response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
  });
  expect(r.choices[0].message.content).toBe('reply from llama-3.3-70b-versatile');
});

test('a model the catalog does not know is never skipped', async () => {
  const r = await rig.openai.chat.completions.create({ model: 'unknown-model', messages: hi, tools: [weather], reasoning_effort: 'high' });
  expect(r.choices[0].message.content).toBe('reply from my-finetune-not-in-catalog');
});
