/**
 * LangChain JS (`@langchain/openai` ChatOpenAI) pointed at the gateway: `withStructuredOutput(zodSchema)` gets
 * valid parsed objects from Anthropic, Gemini and OpenAI backends — with its default method (a json_schema
 * response_format), with function calling, and over the Responses API (`useResponsesApi: true`).
 */
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { gatewayWithBackends, standardConfig } from './backends';

const up = gatewayWithBackends(standardConfig);

const Person = z.object({ name: z.string(), age: z.number().int(), role: z.enum(['admin', 'user']) });

const chat = (model: string, extra: Record<string, unknown> = {}) =>
  new ChatOpenAI({ model, apiKey: 'client-key', configuration: { baseURL: `${up.gw.url}/v1` }, maxRetries: 0, ...extra });

/** What reached each backend as its structured-output setting. */
const sentFormat: Record<string, () => unknown> = {
  claude: () => (up.anthropic.calls[0].body!.output_config as { format?: unknown } | undefined)?.format,
  gemini: () => (up.gemini.calls[0].body!.generationConfig as { responseMimeType?: unknown }).responseMimeType,
  gpt: () => up.openai.calls[0].body!.response_format,
  native: () => up.openai.calls[0].body!.text,
};

describe.each(['claude', 'gemini', 'gpt'])('withStructuredOutput through the gateway to %s', (alias) => {
  test('the default method (a json_schema response_format) gets a parsed object that follows the schema', async () => {
    const person = await chat(alias).withStructuredOutput(Person, { name: 'person' }).invoke('Who is the admin?');
    expect(Person.parse(person)).toEqual(person);
    expect(sentFormat[alias]()).toBeTruthy();
  });

  test('functionCalling: the forced tool call comes back as the parsed object', async () => {
    const input = { name: 'Ada', age: 36, role: 'admin' };
    up.anthropic.on('*', { toolUse: { name: 'person', input } });
    up.gemini.on('*', { functionCall: { name: 'person', args: input } });
    up.openai.on('*', { toolCall: { name: 'person', arguments: JSON.stringify(input) } });
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
    if (alias === 'native') expect(up.openai.calls[0].path).toBe('/v1/responses');
  });
});
