/**
 * /v1/responses the way coding agents and gateways' operators use it: a Codex-style loop of streamed tool
 * calls chained by previous_response_id across providers, and the plugins every other endpoint has — auth
 * (and its owner check on stored turns), rate limits, the cache and the cost header — applying to it too.
 */
import OpenAI from 'openai';
import { gatewayWithBackends, standardConfig } from './backends';

const KEYS = { a: 'team-a-key-0001', b: 'team-b-key-0001', scarce: 'scarce-key-0001', limited: 'limited-key-0001' };

const up = gatewayWithBackends(
  (f) => `${standardConfig(f)}plugins:
  - use: auth
    keys:
      - { name: team-a, key: "${KEYS.a}" }
      - { name: team-b, key: "${KEYS.b}" }
      - { name: scarce, key: "${KEYS.scarce}", rpm: 1 }
      - { name: limited, key: "${KEYS.limited}", models: [gpt] }
  - use: rate-limit
    max_queue_ms: 0
  - use: cache
  - use: cost-log
    sink: sqlite://./spend.db
`,
);

const clientFor = (key: string) => new OpenAI({ baseURL: `${up.gw.url}/v1`, apiKey: key, maxRetries: 0 });

const shell: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'shell',
  description: 'Runs a command in the workspace',
  parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } }, required: ['command'], additionalProperties: false },
  strict: true,
};

/** The function_call item of a turn's output. */
function functionCallOf(output: readonly { type: string }[]): OpenAI.Responses.ResponseFunctionToolCall {
  const found = output.find((o) => o.type === 'function_call');
  if (!found) throw new Error(`no function_call in ${JSON.stringify(output)}`);
  return found as OpenAI.Responses.ResponseFunctionToolCall;
}

/** Streams one turn as Codex does and returns the final Response. */
async function streamTurn(client: OpenAI, params: OpenAI.Responses.ResponseCreateParamsStreaming) {
  const stream = client.responses.stream(params);
  const types: string[] = [];
  for await (const ev of stream) types.push(ev.type);
  return { response: await stream.finalResponse(), types };
}

describe('a Codex-style agent loop', () => {
  test('three streamed turns of tool calls chained by previous_response_id, each on another provider, end in an answer', async () => {
    const client = clientFor(KEYS.a);
    up.anthropic.on('*', { toolUse: { name: 'shell', input: { command: ['ls'] } } }, 1);
    up.gemini.on('*', { functionCall: { name: 'shell', args: { command: ['cat', 'README.md'] } } }, 1);
    up.openai.on('*', { reply: 'The project is Switchyard.' }, 1);

    const t1 = await streamTurn(client, {
      model: 'claude',
      instructions: 'You are a coding agent.',
      input: 'What is this project?',
      tools: [shell],
      stream: true,
    });
    const c1 = functionCallOf(t1.response.output);
    expect(JSON.parse(c1.arguments)).toEqual({ command: ['ls'] });
    expect(t1.types).toEqual(expect.arrayContaining(['response.function_call_arguments.delta', 'response.function_call_arguments.done']));

    const t2 = await streamTurn(client, {
      model: 'gemini',
      instructions: 'You are a coding agent.',
      previous_response_id: t1.response.id,
      input: [{ type: 'function_call_output', call_id: c1.call_id, output: 'README.md\nsrc' }],
      tools: [shell],
      stream: true,
    });
    const c2 = functionCallOf(t2.response.output);
    expect(JSON.parse(c2.arguments)).toEqual({ command: ['cat', 'README.md'] });

    const t3 = await streamTurn(client, {
      model: 'native',
      instructions: 'You are a coding agent.',
      previous_response_id: t2.response.id,
      input: [{ type: 'function_call_output', call_id: c2.call_id, output: '# Switchyard' }],
      tools: [shell],
      stream: true,
    });
    expect(t3.response.output_text).toBe('The project is Switchyard.');

    // The native backend got the whole conversation in order (its strict fake refuses an output without its call).
    const input = up.openai.calls[0].body!.input as { type?: string; role?: string; call_id?: string }[];
    expect(input.map((i) => i.type ?? i.role)).toEqual(['message', 'function_call', 'function_call_output', 'function_call', 'function_call_output']);
    expect(input[2].call_id).toBe(c1.call_id);
    expect(input[4].call_id).toBe(c2.call_id);
    expect(up.openai.calls[0].body!.instructions).toBe('You are a coding agent.');
  });
});

describe('what POST /v1/responses stores is what the state endpoints serve', () => {
  test('a created response reads back by id, lists its input items, and deletes', async () => {
    const client = clientFor(KEYS.a);
    const created = await client.responses.create({ model: 'gemini', instructions: 'Be brief.', input: 'Keep me.' });
    const read = await client.responses.retrieve(created.id);
    expect(read.id).toBe(created.id);
    expect(read.output_text).toBe(created.output_text);
    const items = await client.responses.inputItems.list(created.id);
    expect(items.data).toEqual([expect.objectContaining({ type: 'message', role: 'user', id: expect.stringMatching(/^msg_[0-9a-f]{32}_i0$/) as unknown })]);
    await client.responses.delete(created.id);
    const gone = await client.responses.retrieve(created.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('plugins apply to /v1/responses', () => {
  test('a JSON answer carries the cost header, and a stored turn is visible only to the key that made it', async () => {
    const res = await fetch(`${up.gw.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.a}` },
      body: JSON.stringify({ model: 'gpt', input: 'price me' }),
    });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('x-switchyard-cost-usd'))).toBeGreaterThan(0);
    const { id } = (await res.json()) as { id: string };
    const other = await clientFor(KEYS.b)
      .responses.create({ model: 'gpt', previous_response_id: id, input: 'next' })
      .catch((e: unknown) => e);
    expect((other as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('previous_response_not_found');
    const same = await clientFor(KEYS.a).responses.create({ model: 'gpt', previous_response_id: id, input: 'next' });
    expect(same.previous_response_id).toBe(id);
  });

  test('without a key the request is a 401; a key not allowed the model gets a 403', async () => {
    const none = await clientFor('wrong-key')
      .responses.create({ model: 'gpt', input: 'x' })
      .catch((e: unknown) => e);
    expect(none).toBeInstanceOf(OpenAI.AuthenticationError);
    const limited = await clientFor(KEYS.limited)
      .responses.create({ model: 'claude', input: 'x' })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(up.anthropic.calls).toHaveLength(0);
  });

  test('the rate limit counts Responses requests: past it, a 429 with Retry-After', async () => {
    const client = clientFor(KEYS.scarce);
    await client.responses.create({ model: 'gpt', input: 'first' });
    const res = await fetch(`${up.gw.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.scarce}` },
      body: JSON.stringify({ model: 'gpt', input: 'second' }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(up.openai.calls).toHaveLength(1);
  });

  test('the cache answers a repeated request without calling the backend, as a fresh Response', async () => {
    const client = clientFor(KEYS.a);
    const body = { model: 'claude', input: 'cache me please', temperature: 0 };
    const first = await client.responses.create(body);
    const second = await client.responses.create(body);
    expect(up.anthropic.calls).toHaveLength(1);
    expect(second.output_text).toBe(first.output_text);
    expect(second.id).not.toBe(first.id);
  });
});
