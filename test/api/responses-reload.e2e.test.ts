/**
 * /v1/responses follows a config reload like every endpoint: the next request is routed by the new config,
 * and the stored conversation survives the reload, so a chain started before it continues after it.
 */
import OpenAI from 'openai';
import { gatewayWithFake } from '../helpers/rig';

const configWith = (url: string, native: boolean, model: string) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-reload-upstream"${native ? ', responses: native' : ''} }
models:
  chat: { targets: [ { provider: up, model: ${model} } ] }
`;

const rig = gatewayWithFake((url) => configWith(url, false, 'model-a'));

test('after a reload turns the provider native, the next turn goes to /responses with the earlier turn from the store', async () => {
  const client = new OpenAI({ baseURL: `${rig.gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const first = await client.responses.create({ model: 'chat', input: 'before the reload' });
  expect(rig.fake.calls[0].path).toBe('/v1/chat/completions');

  rig.gw.writeConfig(configWith(rig.fake.url, true, 'model-b'));
  await rig.gw.waitForLog((r) => r.message === 'config reloaded');

  const second = await client.responses.create({ model: 'chat', previous_response_id: first.id, input: 'after the reload' });
  expect(second.output_text).toBe('reply from model-b');
  const sent = rig.fake.calls[1];
  expect(sent.path).toBe('/v1/responses');
  expect(JSON.stringify(sent.body!.input)).toContain('before the reload');
  expect(JSON.stringify(sent.body!.input)).toContain('reply from model-a');
});
