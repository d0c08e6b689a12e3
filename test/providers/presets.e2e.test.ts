/**
 * Provider presets through the real gateway (in-process), with the `openai` SDK as the client, against fake
 * vendors that have their vendor's quirks (src/testing/fake-vendors.ts): DeepSeek's reasoning_content and cache
 * fields, Groq's x_groq.usage, DashScope's thinking switch, Mistral's 9-character tool-call ids, OpenRouter's
 * usage.cost, and a keyless local server.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { loadConfigText } from '../../src/config/load';
import { ConfigError, formatProblem } from '../../src/config/problems';
import { startFakeAnthropic } from '../../src/testing/fake-anthropic';
import { startFakeVendor } from '../../src/testing/fake-vendors';
import { gatewayWithFakes } from '../helpers/rig';

const env = {
  DEEPSEEK_API_KEY: 'sk-ds-test',
  GROQ_API_KEY: 'gsk-test',
  DASHSCOPE_API_KEY: 'sk-qwen-test',
  MISTRAL_API_KEY: 'mistral-test',
  OPENROUTER_API_KEY: 'sk-or-test',
  MINIMAX_API_KEY: 'mm-test-key',
  XAI_API_KEY: undefined,
};

const rig = gatewayWithFakes(
  {
    ds: () => startFakeVendor('deepseek', { key: 'sk-ds-test' }),
    groq: () => startFakeVendor('groq', { key: 'gsk-test' }),
    qwen: () => startFakeVendor('dashscope', { key: 'sk-qwen-test' }),
    mistral: () => startFakeVendor('mistral', { key: 'mistral-test' }),
    or: () => startFakeVendor('openrouter', { key: 'sk-or-test' }),
    ollama: () => startFakeVendor('ollama'),
    minimax: startFakeAnthropic,
  },
  // base_url is given only because the fakes are on loopback: explicit fields win over the preset's.
  ({ ds, groq, qwen, mistral, or, ollama, minimax }) => ({
    env,
    config: `
providers:
  deepseek: { preset: deepseek, base_url: "${ds.url}" }
  groq:     { preset: groq, base_url: "${groq.url}" }
  qwen:     { preset: qwen, base_url: "${qwen.url}" }
  mistral:  { preset: mistral, base_url: "${mistral.url}" }
  or:       { preset: openrouter, base_url: "${or.url}" }
  local:    { preset: ollama, base_url: "${ollama.url}" }
  grok:     { preset: xai }
  minimax:  { preset: minimax, base_url: "${minimax.url}" }
models:
  minimax:     { targets: [ { provider: minimax, model: MiniMax-M2 } ] }
  ds-chat:     { targets: [ { provider: deepseek, model: deepseek-chat } ] }
  ds-reasoner: { targets: [ { provider: deepseek, model: deepseek-reasoner } ] }
  groq:        { targets: [ { provider: groq, model: llama-3.3-70b-versatile } ] }
  qwen:        { targets: [ { provider: qwen, model: qwen3-235b-a22b } ] }
  mistral:     { targets: [ { provider: mistral, model: mistral-large-latest } ] }
  or:          { targets: [ { provider: or, model: openai/gpt-4o-mini } ] }
  local:       { targets: [ { provider: local, model: llama3.2 } ] }
  grok:        { targets: [ { provider: grok, model: grok-4 } ] }
`,
  }),
);

type Extra = Record<string, unknown>;

describe('a preset fills in the provider', () => {
  test('the key comes from the preset variable and is sent as a bearer token', async () => {
    const r = await rig.openai.chat.completions.create({ model: 'ds-chat', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0].message.content).toBe('reply from deepseek-chat');
    expect(rig.fakes.ds.calls[0].headers.authorization).toBe('Bearer sk-ds-test');
    expect(rig.fakes.ds.calls[0].path).toBe('/v1/chat/completions');
  });

  test('a preset whose key variable is not set is unavailable, named like an unset ${VAR}', async () => {
    const ready = (await (await fetch(`${rig.gw.url}/health/ready`)).json()) as { providers: Record<string, unknown> };
    expect(ready.providers.grok).toEqual({ api: 'openai', available: false, missing_env: ['XAI_API_KEY'] });
    const err = await rig.openai.chat.completions.create({ model: 'grok', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain('unavailable: XAI_API_KEY not set');
  });

  test('a keyless local server is available without a key and gets no authorization header', async () => {
    const r = await rig.openai.chat.completions.create({ model: 'local', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0].message.content).toBe('reply from llama3.2');
    expect(rig.fakes.ollama.calls[0].headers.authorization).toBeUndefined();
  });

  test('the MiniMax preset speaks its Anthropic-compatible API, with the key in x-api-key', async () => {
    const r = await rig.openai.chat.completions.create({ model: 'minimax', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    expect(typeof r.choices[0].message.content).toBe('string');
    const call = rig.fakes.minimax.calls.at(-1)!;
    expect(call.path).toBe('/v1/messages');
    expect(call.headers['x-api-key']).toBe('mm-test-key');
    expect(call.body?.model).toBe('MiniMax-M2');
  });

  test('the preset base URL and api come from the catalog when the entry does not set them', () => {
    const loaded = loadConfigText(
      'providers:\n  ds: { preset: deepseek }\n  q: { preset: dashscope }\n  mm: { preset: minimax }\n  local: { preset: vllm }\nmodels:\n  m: { targets: [ { provider: ds, model: deepseek-chat } ] }\n',
      'proxy.yaml',
      { DEEPSEEK_API_KEY: 'k' },
    );
    expect(loaded.config.providers.ds).toMatchObject({ api: 'openai', base_url: 'https://api.deepseek.com', api_key: 'k', preset: 'deepseek' });
    expect(loaded.config.providers.q).toMatchObject({ api: 'openai', base_url: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', preset: 'alibaba' });
    expect(loaded.config.providers.mm).toMatchObject({ api: 'anthropic', base_url: 'https://api.minimax.io/anthropic/v1' });
    expect(loaded.config.providers.local).toMatchObject({ api: 'openai', base_url: 'http://127.0.0.1:8000/v1' });
    expect(loaded.config.providers.local.api_key).toBeUndefined();
    expect(loaded.missing).toEqual([
      { path: ['providers', 'q', 'api_key'], variable: 'DASHSCOPE_API_KEY' },
      { path: ['providers', 'mm', 'api_key'], variable: 'MINIMAX_API_KEY' },
    ]);
  });

  test('an unknown preset is named with its line and column', () => {
    let caught: unknown;
    try {
      loadConfigText('providers:\n  ds: { preset: deepseak }\nmodels:\n  m: { targets: [ { provider: ds, model: x } ] }\n', 'proxy.yaml', {});
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const lines = (caught as ConfigError).problems.map((p) => formatProblem('proxy.yaml', p));
    expect(lines).toEqual([expect.stringMatching(/^proxy\.yaml:2:17: providers\.ds\.preset: unknown preset "deepseak" \(known: .*deepseek.*\)$/)]);
  });

  test('an entry with neither api nor preset is refused with its position', () => {
    expect(() =>
      loadConfigText('providers:\n  ds: { base_url: "https://x.example/v1" }\nmodels:\n  m: { targets: [ { provider: ds, model: x } ] }\n', 'proxy.yaml', {}),
    ).toThrow(/proxy\.yaml:2:7: providers\.ds: missing required field "api" \(or "preset"\)/);
  });

  test('switchyard validate prints the unknown preset with its position', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'switchyard-preset-')), 'proxy.yaml');
    writeFileSync(file, 'providers:\n  g: { preset: grok-ish }\nmodels:\n  m: { targets: [ { provider: g, model: x } ] }\n');
    const r = spawnSync(process.execPath, [path.resolve(__dirname, '../../dist/cli.js'), 'validate', '--config', file], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${file}:2:16: providers.g.preset: unknown preset "grok-ish"`);
  });
});

describe('DeepSeek', () => {
  test('reasoning text arrives in reasoning_content and the cache counts are relayed', async () => {
    const r = await rig.openai.chat.completions.create({ model: 'ds-reasoner', messages: [{ role: 'user', content: 'why?' }] });
    const message = r.choices[0].message as unknown as Extra;
    expect(message.reasoning_content).toBe('thinking about deepseek-reasoner');
    expect(r.usage as unknown as Extra).toMatchObject({ prompt_tokens: 10, prompt_cache_hit_tokens: 5, prompt_cache_miss_tokens: 5 });
    // The adapter's usage normalisation (openai-usage.ts) reads the hits as cache reads, for pricing.
    expect(r.usage?.prompt_tokens_details?.cached_tokens).toBe(5);
  });

  test('streamed reasoning arrives in reasoning_content deltas', async () => {
    const stream = await rig.openai.chat.completions.create({ model: 'ds-reasoner', stream: true, messages: [{ role: 'user', content: 'why?' }] });
    let reasoning = '';
    let text = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as (Extra & { content?: string | null }) | undefined;
      if (typeof delta?.reasoning_content === 'string') reasoning += delta.reasoning_content;
      if (delta?.content) text += delta.content;
    }
    expect(reasoning).toBe('thinking about deepseek-reasoner');
    expect(text).toBe('reply from deepseek-reasoner');
  });

  test('an assistant turn carrying its reasoning is sent back without it (DeepSeek refuses it)', async () => {
    const messages = [
      { role: 'user', content: 'why?' },
      { role: 'assistant', content: 'because', reasoning_content: 'I thought' },
      { role: 'user', content: 'and?' },
    ] as OpenAI.Chat.Completions.ChatCompletionMessageParam[];
    const r = await rig.openai.chat.completions.create({ model: 'ds-reasoner', messages });
    expect(r.choices[0].message.content).toBe('reply from deepseek-reasoner');
    expect((rig.fakes.ds.calls[0].body?.messages as Extra[])[1]).toEqual({ role: 'assistant', content: 'because' });
  });
});

describe('Groq', () => {
  test("a stream's usage inside x_groq.usage reaches the client as usage", async () => {
    const stream = await rig.openai.chat.completions.create({
      model: 'groq',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    });
    let usage: OpenAI.CompletionUsage | undefined | null;
    let text = '';
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('reply from llama-3.3-70b-versatile');
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 });
  });
});

describe('DashScope (Qwen)', () => {
  test('reasoning_effort on a stream becomes enable_thinking and thinking_budget; reasoning is relayed', async () => {
    const stream = await rig.openai.chat.completions.create({
      model: 'qwen',
      stream: true,
      reasoning_effort: 'low',
      messages: [{ role: 'user', content: 'think' }],
    });
    let reasoning = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as Extra | undefined;
      if (typeof delta?.reasoning_content === 'string') reasoning += delta.reasoning_content;
    }
    expect(reasoning).toBe('thinking about qwen3-235b-a22b');
    const sent = rig.fakes.qwen.calls[0].body!;
    expect(sent).toMatchObject({ enable_thinking: true, thinking_budget: 1024 });
    expect(sent.reasoning_effort).toBeUndefined();
  });

  test('a non-streamed request is sent with thinking off, which DashScope requires', async () => {
    const r = await rig.openai.chat.completions.create({ model: 'qwen', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0].message.content).toBe('reply from qwen3-235b-a22b');
    expect(rig.fakes.qwen.calls[0].body?.enable_thinking).toBe(false);
  });

  test('a non-streamed request asking for reasoning gets a clear 400 before reaching DashScope', async () => {
    const err = await rig.openai.chat.completions
      .create({ model: 'qwen', reasoning_effort: 'high', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain('send "stream": true');
    expect(rig.fakes.qwen.calls).toHaveLength(0);
  });
});

describe('Mistral', () => {
  const history = (callId: string): OpenAI.Chat.Completions.ChatCompletionMessageParam[] => [
    { role: 'user', content: 'weather?' },
    { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: callId, content: 'sunny' },
  ];

  test('tool-call ids from another provider are rewritten to 9 characters, the call and its result alike, the same each turn', async () => {
    const foreign = 'toolu_01A09q90qw90lq917835lq9';
    await rig.openai.chat.completions.create({ model: 'mistral', messages: history(foreign) });
    await rig.openai.chat.completions.create({ model: 'mistral', messages: history(foreign) });
    const sent = rig.fakes.mistral.calls.map((c) => c.body!.messages as { tool_calls?: { id: string }[]; tool_call_id?: string }[]);
    const id = sent[0][1].tool_calls![0].id;
    expect(id).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(sent[0][2].tool_call_id).toBe(id);
    expect(sent[1][1].tool_calls![0].id).toBe(id);
  });

  test("Mistral's own ids reach the client and are accepted back unchanged", async () => {
    rig.fakes.mistral.on('mistral-large-latest', { toolCall: { name: 'get_weather', arguments: '{"city":"Paris"}' } }, 1);
    const first = await rig.openai.chat.completions.create({ model: 'mistral', messages: [{ role: 'user', content: 'weather?' }] });
    const id = first.choices[0].message.tool_calls![0].id;
    expect(id).toMatch(/^[A-Za-z0-9]{9}$/);
    const second = await rig.openai.chat.completions.create({ model: 'mistral', messages: history(id) });
    expect(second.choices[0].message.content).toBe('reply from mistral-large-latest');
    expect((rig.fakes.mistral.calls[1].body!.messages as { tool_call_id?: string }[])[2].tool_call_id).toBe(id);
  });
});

describe('OpenRouter', () => {
  test('the gateway asks for usage accounting and relays the reported cost', async () => {
    const r = await rig.openai.chat.completions.create({ model: 'or', messages: [{ role: 'user', content: 'hi' }] });
    expect(rig.fakes.or.calls[0].body?.usage).toEqual({ include: true });
    expect((r.usage as unknown as Extra).cost).toBe(0.00042);
  });

  test('the reported cost is on the log line as upstream_cost_usd (and in the upstreamReportedCostUsd variable)', async () => {
    const { response } = await rig.openai.chat.completions.create({ model: 'or', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const id = response.headers.get('x-request-id');
    const line = await rig.gw.waitForLog((r) => r.message === 'request' && r.request_id === id);
    expect(line.upstream_cost_usd).toBe(0.00042);
  });
});
