/**
 * The Open Responses compliance suite's cases (basic response, streaming, system prompt, tool calling, tool
 * calling streamed, image input, multi-turn), run against /v1/responses over plain HTTP for every kind of
 * backend. Each answer is checked against the specification's Response resource: every required field, with
 * its type; each stream event is numbered in order and carries the fields its type requires.
 */
import { gatewayWithBackends, standardConfig } from './backends';

const up = gatewayWithBackends(standardConfig);

type Json = Record<string, unknown>;
type Check = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'string|null' | 'integer|null' | 'object|null' | 'any';

/** The Response resource's required fields and their types, as the specification's schema lists them. */
const RESPONSE_FIELDS: Record<string, Check> = {
  id: 'string',
  object: 'string',
  created_at: 'integer',
  completed_at: 'integer|null',
  status: 'string',
  incomplete_details: 'object|null',
  model: 'string',
  previous_response_id: 'string|null',
  instructions: 'string|null',
  output: 'array',
  error: 'object|null',
  tools: 'array',
  tool_choice: 'any',
  truncation: 'string',
  parallel_tool_calls: 'boolean',
  text: 'object',
  top_p: 'number',
  presence_penalty: 'number',
  frequency_penalty: 'number',
  top_logprobs: 'integer',
  temperature: 'number',
  reasoning: 'object|null',
  usage: 'object|null',
  max_output_tokens: 'integer|null',
  max_tool_calls: 'integer|null',
  store: 'boolean',
  background: 'boolean',
  service_tier: 'string',
  metadata: 'any',
  safety_identifier: 'string|null',
  prompt_cache_key: 'string|null',
};

/** Required fields of the output items and stream events these cases produce. */
const ITEM_FIELDS: Record<string, Record<string, Check>> = {
  message: { id: 'string', status: 'string', role: 'string', content: 'array' },
  function_call: { id: 'string', call_id: 'string', name: 'string', arguments: 'string', status: 'string' },
};
const EVENT_FIELDS: Record<string, Record<string, Check>> = {
  'response.created': { response: 'object' },
  'response.in_progress': { response: 'object' },
  'response.completed': { response: 'object' },
  'response.output_item.added': { output_index: 'integer', item: 'object' },
  'response.output_item.done': { output_index: 'integer', item: 'object' },
  'response.content_part.added': { item_id: 'string', output_index: 'integer', content_index: 'integer', part: 'object' },
  'response.content_part.done': { item_id: 'string', output_index: 'integer', content_index: 'integer', part: 'object' },
  'response.output_text.delta': { item_id: 'string', output_index: 'integer', content_index: 'integer', delta: 'string', logprobs: 'array' },
  'response.output_text.done': { item_id: 'string', output_index: 'integer', content_index: 'integer', text: 'string', logprobs: 'array' },
  'response.function_call_arguments.delta': { item_id: 'string', output_index: 'integer', delta: 'string' },
  'response.function_call_arguments.done': { item_id: 'string', output_index: 'integer', arguments: 'string' },
};

function typeErrors(value: Json, fields: Record<string, Check>, where: string): string[] {
  const errors: string[] = [];
  for (const [field, check] of Object.entries(fields)) {
    const v = value[field];
    const ok = check.split('|').some((t) => {
      if (t === 'any') return field in value;
      if (t === 'null') return v === null;
      if (t === 'integer') return Number.isInteger(v);
      if (t === 'array') return Array.isArray(v);
      if (t === 'object') return typeof v === 'object' && v !== null && !Array.isArray(v);
      return typeof v === t;
    });
    if (!ok) errors.push(`${where}.${field}: expected ${check}, got ${JSON.stringify(v)}`);
  }
  return errors;
}

function responseErrors(r: Json): string[] {
  const errors = typeErrors(r, RESPONSE_FIELDS, 'response');
  if (r.object !== 'response') errors.push('response.object is not "response"');
  for (const [i, item] of ((r.output as Json[]) ?? []).entries()) {
    const fields = ITEM_FIELDS[item.type as string];
    if (fields) errors.push(...typeErrors(item, fields, `output[${i}]`));
    if (item.type === 'message')
      for (const [j, part] of (item.content as Json[]).entries())
        errors.push(...typeErrors(part, { type: 'string', text: 'string', annotations: 'array', logprobs: 'array' }, `output[${i}].content[${j}]`));
  }
  const usage = r.usage as Json | null;
  if (usage) {
    errors.push(
      ...typeErrors(
        usage,
        { input_tokens: 'integer', output_tokens: 'integer', total_tokens: 'integer', input_tokens_details: 'object', output_tokens_details: 'object' },
        'usage',
      ),
    );
  }
  return errors;
}

async function post(body: Json): Promise<Response> {
  return fetch(`${up.gw.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer any' },
    body: JSON.stringify(body),
  });
}

/** Parses an SSE body; checks numbering and each event's fields; returns the events and the final Response. */
async function readStream(res: Response): Promise<{ events: Json[]; final: Json; errors: string[] }> {
  const events = (await res.text())
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as Json;
      if (event !== undefined && event !== data.type) throw new Error(`event line ${event} does not match type ${String(data.type)}`);
      return data;
    });
  const errors: string[] = [];
  events.forEach((ev, i) => {
    if (ev.sequence_number !== i) errors.push(`event ${i} (${String(ev.type)}) has sequence_number ${String(ev.sequence_number)}`);
    const fields = EVENT_FIELDS[ev.type as string];
    if (fields) errors.push(...typeErrors(ev, fields, String(ev.type)));
  });
  return { events, final: events[events.length - 1].response as Json, errors };
}

const weatherTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Get the current weather for a location',
  parameters: { type: 'object', properties: { location: { type: 'string', description: 'The city and state' } }, required: ['location'] },
};

function answerWithToolCall(alias: string): void {
  if (alias === 'claude') up.anthropic.on('*', { toolUse: { name: 'get_weather', input: { location: 'San Francisco, CA' } } });
  else if (alias === 'gemini') up.gemini.on('*', { functionCall: { name: 'get_weather', args: { location: 'San Francisco, CA' } } });
  else up.openai.on('*', { toolCall: { name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' } });
}

describe.each(['claude', 'gemini', 'gpt', 'native'])('Open Responses compliance cases on %s', (alias) => {
  test('basic response: a valid, completed Response resource with output', async () => {
    const res = await post({ model: alias, input: [{ type: 'message', role: 'user', content: 'Say hello in exactly 3 words.' }] });
    expect(res.status).toBe(200);
    const r = (await res.json()) as Json;
    expect(responseErrors(r)).toEqual([]);
    expect(r.status).toBe('completed');
    expect((r.output as Json[]).length).toBeGreaterThan(0);
  });

  test('streaming response: numbered events of the right shape, ending in a completed Response', async () => {
    const { events, final, errors } = await readStream(
      await post({ model: alias, input: [{ type: 'message', role: 'user', content: 'Count from 1 to 5.' }], stream: true }),
    );
    expect(errors).toEqual([]);
    expect(events.length).toBeGreaterThan(4);
    expect(responseErrors(final)).toEqual([]);
    expect(final.status).toBe('completed');
  });

  test('system prompt: a system message in the input', async () => {
    const res = await post({
      model: alias,
      input: [
        { type: 'message', role: 'system', content: 'You are a pirate. Always respond in pirate speak.' },
        { type: 'message', role: 'user', content: 'Say hello.' },
      ],
    });
    const r = (await res.json()) as Json;
    expect(responseErrors(r)).toEqual([]);
    expect(r.status).toBe('completed');
  });

  test('tool calling: a function_call output item', async () => {
    answerWithToolCall(alias);
    const r = (await (
      await post({ model: alias, input: [{ type: 'message', role: 'user', content: "What's the weather like in San Francisco?" }], tools: [weatherTool] })
    ).json()) as Json;
    expect(responseErrors(r)).toEqual([]);
    expect((r.output as Json[]).some((o) => o.type === 'function_call')).toBe(true);
  });

  test('tool calling streamed: function_call added, arguments delta and done, item done', async () => {
    answerWithToolCall(alias);
    const { events, final, errors } = await readStream(
      await post({
        model: alias,
        input: [{ type: 'message', role: 'user', content: "What's the weather like in San Francisco?" }],
        tools: [weatherTool],
        stream: true,
      }),
    );
    expect(errors).toEqual([]);
    const types = events.map((e) => e.type);
    expect(events.some((e) => e.type === 'response.output_item.added' && (e.item as Json).type === 'function_call')).toBe(true);
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types).toContain('response.function_call_arguments.done');
    expect(events.some((e) => e.type === 'response.output_item.done' && (e.item as Json).type === 'function_call')).toBe(true);
    expect(responseErrors(final)).toEqual([]);
  });

  test('image input: an input_image data URL with text', async () => {
    const res = await post({
      model: alias,
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'What do you see in this image? Answer in one sentence.' },
            {
              type: 'input_image',
              image_url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
            },
          ],
        },
      ],
    });
    const r = (await res.json()) as Json;
    expect(responseErrors(r)).toEqual([]);
    expect(r.status).toBe('completed');
  });

  test('multi-turn: assistant and user messages as history', async () => {
    const res = await post({
      model: alias,
      input: [
        { type: 'message', role: 'user', content: 'My name is Alice.' },
        { type: 'message', role: 'assistant', content: 'Hello Alice! Nice to meet you. How can I help you today?' },
        { type: 'message', role: 'user', content: 'What is my name?' },
      ],
    });
    const r = (await res.json()) as Json;
    expect(responseErrors(r)).toEqual([]);
    expect(r.status).toBe('completed');
  });
});
