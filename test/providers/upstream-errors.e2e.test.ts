/**
 * What clients hear when upstreams are overloaded or do not know the model, through the real gateway against
 * strict fakes of OpenAI, Anthropic and Gemini: 503 service_unavailable (and Anthropic's overloaded_error on
 * /v1/messages) when every target was overloaded; an unknown-model 404 fails over on every adapter and is a
 * 404 model_not_found when no target is left.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeAnthropic } from '../../src/testing/fake-anthropic';
import { startFakeGemini } from '../../src/testing/fake-gemini';
import { startFakeOpenAI } from '../../src/testing/fake-openai';
import { startInProcess } from '../helpers/in-process';
import { gatewayWithFakes } from '../helpers/rig';

const rig = gatewayWithFakes(
  { anthropicFake: startFakeAnthropic, geminiFake: startFakeGemini, openaiFake: startFakeOpenAI },
  ({ anthropicFake, geminiFake, openaiFake }) => `
providers:
  claude: { api: anthropic, base_url: "${anthropicFake.url}", api_key: "sk-ant-gateway-key" }
  gem:    { api: gemini, base_url: "${geminiFake.url}", api_key: "AIza-gateway-key" }
  gpt:    { api: openai, base_url: "${openaiFake.url}", api_key: "sk-openai-gateway-key" }
models:
  claude: { targets: [ { provider: claude, model: claude-sonnet-4-5 } ] }
  gemini: { targets: [ { provider: gem, model: gemini-2.5-flash } ] }
  gpt:    { targets: [ { provider: gpt, model: gpt-4o-mini } ] }
  everyone:
    strategy: ordered
    targets:
      - { provider: claude, model: claude-sonnet-4-5 }
      - { provider: gem, model: gemini-2.5-flash }
      - { provider: gpt, model: gpt-4o-mini }
`,
);

/** The gateway's error for a chat request that must fail (a success fails the test). */
async function ask(model: string): Promise<InstanceType<typeof OpenAI.APIError>> {
  const outcome = await rig.openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof OpenAI.APIError)) throw new Error(`expected an API error, got ${String(outcome)}`);
  return outcome;
}

function overloadAll(): void {
  rig.fakes.anthropicFake.on('*', { status: 529 });
  rig.fakes.geminiFake.on('*', { status: 503, errorMessage: 'The model is overloaded. Please try again later.' });
  rig.fakes.openaiFake.on('*', { status: 503, errorMessage: 'The engine is currently overloaded, please try again later' });
}

function unknownModelEverywhere(): void {
  rig.fakes.anthropicFake.on('*', { status: 404, errorMessage: 'model: claude-sonnet-4-5' });
  rig.fakes.geminiFake.on('*', { status: 404, errorMessage: 'models/gemini-2.5-flash is not found for API version v1beta' });
  rig.fakes.openaiFake.on('*', {
    status: 404,
    errorMessage: 'The model `gpt-4o-mini` does not exist or you do not have access to it.',
    errorCode: 'model_not_found',
  });
}

describe('overloaded upstreams', () => {
  test.each(['claude', 'gemini', 'gpt', 'everyone'])('%s: every target overloaded is a 503 service_unavailable', async (model) => {
    overloadAll();
    const err = await ask(model);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.status).toBe(503);
    expect(err.error).toMatchObject({ type: 'service_unavailable', code: 'upstream_overloaded' });
  });

  test('/v1/messages answers overloaded_error in Anthropic shape', async () => {
    overloadAll();
    const err = await rig.anthropic.messages
      .create({ model: 'everyone', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    const e = err as InstanceType<typeof Anthropic.APIError>;
    expect(e.status).toBe(503);
    expect((e.error as { error: { type: string } }).error.type).toBe('overloaded_error');
  });

  test('when one target answers, the overload before it is invisible', async () => {
    rig.fakes.anthropicFake.on('*', { status: 529 });
    const completion = await rig.openai.chat.completions.create({ model: 'everyone', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0].message.content).toBe('reply from gemini-2.5-flash');
  });

  test('overload mixed with another failure stays a 502 all_targets_failed', async () => {
    rig.fakes.anthropicFake.on('*', { status: 529 });
    rig.fakes.geminiFake.on('*', { status: 500 });
    rig.fakes.openaiFake.on('*', { status: 503 });
    const err = await ask('everyone');
    expect(err.status).toBe(502);
    expect(err.error).toMatchObject({ code: 'all_targets_failed' });
  });
});

describe('an upstream that does not know the model', () => {
  test.each([
    ['claude', () => rig.fakes.anthropicFake.on('*', { status: 404 }, 1), 'reply from gemini-2.5-flash'],
    [
      'claude and gemini',
      () => {
        rig.fakes.anthropicFake.on('*', { status: 404 }, 1);
        rig.fakes.geminiFake.on('*', { status: 404 }, 1);
      },
      'reply from gpt-4o-mini',
    ],
  ])('a 404 from %s fails over to the next target', async (_name, arrange, reply) => {
    arrange();
    const completion = await rig.openai.chat.completions.create({ model: 'everyone', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0].message.content).toBe(reply);
  });

  test('a 404 from the OpenAI adapter fails over too', async () => {
    const gw2 = await startInProcess({
      config: `
providers:
  gpt:    { api: openai, base_url: "${rig.fakes.openaiFake.url}", api_key: "k" }
  claude: { api: anthropic, base_url: "${rig.fakes.anthropicFake.url}", api_key: "k" }
models:
  m: { strategy: ordered, targets: [ { provider: gpt, model: gone-model }, { provider: claude, model: claude-sonnet-4-5 } ] }
`,
    });
    try {
      rig.fakes.openaiFake.on('gone-model', { status: 404, errorCode: 'model_not_found' });
      const client = new OpenAI({ baseURL: `${gw2.url}/v1`, apiKey: 'x', maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
      expect(completion.choices[0].message.content).toBe('reply from claude-sonnet-4-5');
      expect(rig.fakes.openaiFake.calls).toHaveLength(1);
    } finally {
      await gw2.stop();
    }
  });

  test.each(['claude', 'gemini', 'gpt', 'everyone'])('%s: no target left is a 404 model_not_found', async (model) => {
    unknownModelEverywhere();
    const err = await ask(model);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found', param: 'model' });
  });

  test('/v1/messages answers not_found_error', async () => {
    unknownModelEverywhere();
    const err = await rig.anthropic.messages
      .create({ model: 'everyone', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(((err as InstanceType<typeof Anthropic.APIError>).error as { error: { type: string } }).error.type).toBe('not_found_error');
  });
});
