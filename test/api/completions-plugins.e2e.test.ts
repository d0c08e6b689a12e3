/**
 * /v1/completions goes through the plugins like chat: the auth plugin holds a key to its models, the cache
 * answers a repeat (in the legacy shape), and cost logging prices it.
 */
import OpenAI from 'openai';
import { gatewayWithFake } from '../helpers/rig';

const rig = gatewayWithFake(
  (url) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-upstream-test" }
models:
  instruct: { targets: [ { provider: up, model: gpt-3.5-turbo-instruct } ] }
  secret:   { targets: [ { provider: up, model: gpt-4o } ] }
plugins:
  - use: auth
    keys:
      - { name: team-a, key: "team-a-key-0001", models: [instruct] }
  - use: cache
    ttl_s: 600
`,
);

const client = () => new OpenAI({ baseURL: `${rig.gw.url}/v1`, apiKey: 'team-a-key-0001', maxRetries: 0 });

describe('/v1/completions and the plugins', () => {
  test('a key may not use an alias it was not given, and nothing is sent', async () => {
    const err = await client()
      .completions.create({ model: 'secret', prompt: 'Hi' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const noKey = await new OpenAI({ baseURL: `${rig.gw.url}/v1`, apiKey: 'wrong-key-000', maxRetries: 0 }).completions
      .create({ model: 'instruct', prompt: 'Hi' })
      .catch((e: unknown) => e);
    expect(noKey).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(rig.fake.calls).toHaveLength(0);
  });

  test('a repeated completion is a cache hit, answered as a text_completion', async () => {
    const first = await client().completions.create({ model: 'instruct', prompt: 'Cache me', temperature: 0 }).withResponse();
    expect(first.response.headers.get('x-switchyard-cache')).toBe('miss');
    const second = await client().completions.create({ model: 'instruct', prompt: 'Cache me', temperature: 0 }).withResponse();
    expect(second.response.headers.get('x-switchyard-cache')).toBe('hit');
    expect(second.data.object).toBe('text_completion');
    expect(second.data.choices[0].text).toBe(first.data.choices[0].text);
    expect(rig.fake.calls).toHaveLength(1);
  });
});
