/**
 * LangChain JS (`@langchain/openai` ChatOpenAI) pointed at the gateway: `withStructuredOutput(zodSchema)` gets
 * valid parsed objects from Anthropic, Gemini and OpenAI backends — with its default method (a json_schema
 * response_format), with function calling, and over the Responses API (`useResponsesApi: true`).
 */
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { startFakeAnthropic, type FakeAnthropic } from '../../src/testing/fake-anthropic';
import { startFakeGemini, type FakeGemini } from '../../src/testing/fake-gemini';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';

let anthropicFake: FakeAnthropic;
let geminiFake: FakeGemini;
let openaiFake: FakeOpenAI;
let gw: InProcessGateway;

beforeAll(async () => {
  [anthropicFake, geminiFake, openaiFake] = await Promise.all([startFakeAnthropic(), startFakeGemini(), startFakeOpenAI()]);
  gw = await startInProcess({
    config: `
providers:
  claude: { api: anthropic, base_url: "${anthropicFake.url}", api_key: "sk-ant-gateway-key" }
  gem:    { api: gemini, base_url: "${geminiFake.url}", api_key: "AIza-gateway-key" }
  gpt:    { api: openai, base_url: "${openaiFake.url}", api_key: "sk-openai-gateway-key" }
  native: { api: openai, base_url: "${openaiFake.url}", api_key: "sk-openai-gateway-key", responses: native }
models:
  claude: { targets: [ { provider: claude, model: claude-sonnet-4-5 } ] }
  gemini: { targets: [ { provider: gem, model: gemini-2.5-flash } ] }
  gpt:    { targets: [ { provider: gpt, model: gpt-4o-mini } ] }
  native: { targets: [ { provider: native, model: gpt-4.1-mini } ] }
`,
  });
});
afterAll(async () => {
  await gw?.stop();
  await Promise.all([anthropicFake?.close(), geminiFake?.close(), openaiFake?.close()]);
});
beforeEach(() => {
  anthropicFake.reset();
  geminiFake.reset();
  openaiFake.reset();
});

const Person = z.object({ name: z.string(), age: z.number().int(), role: z.enum(['admin', 'user']) });

const chat = (model: string, extra: Record<string, unknown> = {}) =>
  new ChatOpenAI({ model, apiKey: 'client-key', configuration: { baseURL: `${gw.url}/v1` }, maxRetries: 0, ...extra });

/** What reached each backend as its structured-output setting. */
const sentFormat: Record<string, () => unknown> = {
  claude: () => (anthropicFake.calls[0].body!.output_config as { format?: unknown } | undefined)?.format,
  gemini: () => (geminiFake.calls[0].body!.generationConfig as { responseMimeType?: unknown }).responseMimeType,
  gpt: () => openaiFake.calls[0].body!.response_format,
  native: () => openaiFake.calls[0].body!.text,
};

describe.each(['claude', 'gemini', 'gpt'])('withStructuredOutput through the gateway to %s', (alias) => {
  test('the default method (a json_schema response_format) gets a parsed object that follows the schema', async () => {
    const person = await chat(alias).withStructuredOutput(Person, { name: 'person' }).invoke('Who is the admin?');
    expect(Person.parse(person)).toEqual(person);
    expect(sentFormat[alias]()).toBeTruthy();
  });

  test('functionCalling: the forced tool call comes back as the parsed object', async () => {
    const input = { name: 'Ada', age: 36, role: 'admin' };
    anthropicFake.on('*', { toolUse: { name: 'person', input } });
    geminiFake.on('*', { functionCall: { name: 'person', args: input } });
    openaiFake.on('*', { toolCall: { name: 'person', arguments: JSON.stringify(input) } });
    const person = await chat(alias).withStructuredOutput(Person, { name: 'person', method: 'functionCalling' }).invoke('Who is the admin?');
    expect(person).toEqual(input);
  });
});

describe.each(['claude', 'gemini', 'native'])('withStructuredOutput with useResponsesApi: true, served by %s', (alias) => {
  test('the object comes back parsed from /v1/responses', async () => {
    const { raw, parsed } = await chat(alias, { useResponsesApi: true })
      .withStructuredOutput(Person, { name: 'person', includeRaw: true })
      .invoke('Who is the admin?');
    expect(Person.parse(parsed)).toEqual(parsed);
    // Answered as a Response (its id is the gateway's resp_…), not as a chat completion.
    const message = raw as { id?: string; response_metadata?: { id?: string } };
    expect(message.id ?? message.response_metadata?.id).toMatch(/^resp_/);
    expect(sentFormat[alias]()).toBeTruthy();
    if (alias === 'native') expect(openaiFake.calls[0].path).toBe('/v1/responses');
  });
});
