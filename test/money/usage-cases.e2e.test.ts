/**
 * Every usage case, priced exactly: the real gateway over HTTP against fakes that report exactly that usage
 * (each provider's own fields), with the cost the gateway records (its x-switchyard-cost-usd header, the
 * `cost_usd` of the request's log line, and for streams the final usage chunk) compared to a hand-computed bill
 * to 1e-9 USD. Prices are set under `pricing:` so a catalog change does not move these figures.
 */
import { startFakeAnthropic } from '../../src/testing/fake-anthropic';
import { startFakeGemini } from '../../src/testing/fake-gemini';
import { startFakeOpenAI } from '../../src/testing/fake-openai';
import { streamPieces } from '../../src/testing/fake-upstream-server';
import { promptTokensOf, textTokens } from '../../src/pricing/estimate-stream-usage';
import { readSse } from '../helpers/client';
import { gatewayWithFakes } from '../helpers/rig';

// USD per 1M tokens. claude-sonnet-4: 3 / 15, cache read 0.3, 5-minute write 3.75, 1-hour write 6, and ×2 input /
// ×1.5 output above 200k prompt tokens. gemini-2.5-pro: 1.25 / 10, 2.5 / 15 above 200k.
const rig = gatewayWithFakes(
  { openaiFake: startFakeOpenAI, anthropicFake: startFakeAnthropic, geminiFake: startFakeGemini },
  ({ openaiFake, anthropicFake, geminiFake }) => `
providers:
  oa: { api: openai, base_url: "${openaiFake.url}", api_key: "sk-test" }
  oa2: { api: openai, base_url: "${openaiFake.url}", api_key: "sk-test" }
  ds: { api: openai, base_url: "${openaiFake.url}", api_key: "sk-test" }
  az: { api: azure, base_url: "http://127.0.0.1:${openaiFake.port}", api_key: "azure-key", api_version: "2024-10-21" }
  claude: { api: anthropic, base_url: "${anthropicFake.url}", api_key: "sk-ant-test" }
  gem: { api: gemini, base_url: "${geminiFake.url}", api_key: "AIza-test" }
models:
  gpt: { targets: [ { provider: oa, model: gpt-4o } ] }
  reasoner: { targets: [ { provider: oa, model: o3-mini } ] }
  deepseek: { targets: [ { provider: ds, model: deepseek-chat } ] }
  azure: { targets: [ { provider: az, model: gpt-4o-prod } ] }
  sonnet: { targets: [ { provider: claude, model: claude-sonnet-4-20250514 } ] }
  flash: { targets: [ { provider: gem, model: gemini-2.5-flash } ] }
  pro: { targets: [ { provider: gem, model: gemini-2.5-pro } ] }
  embed: { targets: [ { provider: oa, model: text-embedding-3-small } ] }
  mystery: { targets: [ { provider: oa, model: my-finetune } ] }
  failover: { strategy: ordered, targets: [ { provider: oa, model: gpt-4o-down }, { provider: oa2, model: gpt-4o-mini } ] }
pricing:
  gpt-4o: { input: 2.5, output: 10, cached_input: 1.25 }
  gpt-4o-down: { input: 100, output: 100 }
  gpt-4o-mini: { input: 0.15, output: 0.6, cached_input: 0.075 }
  gpt-4o-prod: { input: 2.5, output: 10, cached_input: 1.25 }
  o3-mini: { input: 1.1, output: 4.4, cached_input: 0.55 }
  deepseek-chat: { input: 0.27, output: 1.1, cached_input: 0.07 }
  claude-sonnet-4-20250514:
    input: 3
    output: 15
    cached_input: 0.3
    cache_write: 3.75
    cache_write_1h: 6
    tiers: [ { above_tokens: 200000, input: 6, output: 22.5, cached_input: 0.6, cache_write: 7.5, cache_write_1h: 12 } ]
  gemini-2.5-flash: { input: 0.3, output: 2.5, cached_input: 0.075 }
  gemini-2.5-pro: { input: 1.25, output: 10, cached_input: 0.31, tiers: [ { above_tokens: 200000, input: 2.5, output: 15, cached_input: 0.625 } ] }
  text-embedding-3-small: { input: 0.02, output: 0 }
plugins:
  - use: cache
  - use: cost-log
    sink: "jsonl://./spend.jsonl"
`,
);

let seq = 0;
/** A fresh request id and a prompt no earlier test sent (so the cache never answers unless a test wants it to). */
function fresh(): { id: string; content: string } {
  seq++;
  return { id: `money-${seq}-${Date.now().toString(36)}`, content: `question ${seq}` };
}

async function post(path: string, id: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${rig.gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': id, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
    signal,
  });
}

/** The request's log line, once written (after onComplete). */
function logLine(id: string): Promise<Record<string, unknown>> {
  return rig.gw.waitForLog((r) => r.request_id === id && r.message === 'request');
}

function expectUsd(actual: unknown, usd: number): void {
  expect(typeof actual).toBe('number');
  expect(Math.abs((actual as number) - usd)).toBeLessThan(1e-9);
}

describe('JSON answers: the recorded cost is the bill, to 1e-9 USD', () => {
  test.each<[string, () => void, string, Record<string, unknown>, number, Record<string, unknown>?]>([
    // 1000 × 2.5 + 200 × 10 µ$
    ['plain', () => rig.fakes.openaiFake.on('gpt-4o', { usage: { prompt_tokens: 1000, completion_tokens: 200 } }), 'gpt', {}, 0.0045],
    // 500 × 2.5 + 1500 × 1.25 + 300 × 10 µ$
    [
      'OpenAI cached prompt tokens',
      () => rig.fakes.openaiFake.on('gpt-4o', { usage: { prompt_tokens: 2000, completion_tokens: 300, cached_tokens: 1500 } }),
      'gpt',
      {},
      0.006125,
      { prompt_tokens: 2000, prompt_tokens_details: { cached_tokens: 1500 } },
    ],
    [
      'Azure cached prompt tokens',
      () => rig.fakes.openaiFake.on('gpt-4o-prod', { usage: { prompt_tokens: 2000, completion_tokens: 300, cached_tokens: 1500 } }),
      'azure',
      {},
      0.006125,
    ],
    // DeepSeek's own fields: 234 × 0.27 + 1000 × 0.07 + 567 × 1.10 µ$; clients see cached_tokens too
    [
      'DeepSeek cache hit and miss tokens',
      () =>
        rig.fakes.openaiFake.on('deepseek-chat', {
          usage: { prompt_tokens: 1234, completion_tokens: 567 },
          vendorUsage: { prompt_cache_hit_tokens: 1000, prompt_cache_miss_tokens: 234 },
        }),
      'deepseek',
      {},
      0.00075688,
      { prompt_tokens: 1234, prompt_cache_hit_tokens: 1000, prompt_cache_miss_tokens: 234, prompt_tokens_details: { cached_tokens: 1000 } },
    ],
    // reasoning is part of completion_tokens, billed once as output: 100 × 1.1 + 700 × 4.4 µ$
    [
      'OpenAI reasoning tokens',
      () => rig.fakes.openaiFake.on('o3-mini', { usage: { prompt_tokens: 100, completion_tokens: 700, reasoning_tokens: 500 } }),
      'reasoner',
      {},
      0.00319,
      { completion_tokens: 700, completion_tokens_details: { reasoning_tokens: 500 } },
    ],
    // the case: 100 × 3 + 2000 × 0.3 + 1000 × 3.75 + 200 × 15 µ$
    [
      'Anthropic cache reads and 5-minute writes',
      () =>
        rig.fakes.anthropicFake.on('*', {
          usage: {
            input_tokens: 100,
            output_tokens: 200,
            cache_read_input_tokens: 2000,
            cache_creation_input_tokens: 1000,
            cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 0 },
          },
        }),
      'sonnet',
      {},
      0.00765,
      { prompt_tokens: 3100, prompt_tokens_details: { cached_tokens: 2000, cache_write_tokens: 1000, cache_write_1h_tokens: 0 } },
    ],
    // the case: 100 × 3 + 500 × 0.3 + 1000 × 6 + 50 × 15 µ$
    [
      'Anthropic cache reads and 1-hour writes',
      () =>
        rig.fakes.anthropicFake.on('*', {
          usage: {
            input_tokens: 100,
            output_tokens: 50,
            cache_read_input_tokens: 500,
            cache_creation_input_tokens: 1000,
            cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 1000 },
          },
        }),
      'sonnet',
      {},
      0.0072,
      { prompt_tokens: 1600, prompt_tokens_details: { cached_tokens: 500, cache_write_tokens: 1000, cache_write_1h_tokens: 1000 } },
    ],
    // above 200k prompt tokens every token is at the tier: 150000 × 6 + 60000 × 0.6 + 1000 × 22.5 µ$
    [
      'Anthropic long context',
      () => rig.fakes.anthropicFake.on('*', { usage: { input_tokens: 150_000, output_tokens: 1000, cache_read_input_tokens: 60_000 } }),
      'sonnet',
      {},
      0.9585,
    ],
    // Gemini: promptTokenCount includes the cached 600; thoughts are output: 400 × 0.3 + 600 × 0.075 + (100 + 400) × 2.5 µ$
    [
      'Gemini cached and thinking tokens',
      () =>
        rig.fakes.geminiFake.on('*', { usage: { promptTokenCount: 1000, cachedContentTokenCount: 600, candidatesTokenCount: 100, thoughtsTokenCount: 400 } }),
      'flash',
      {},
      0.001415,
      { prompt_tokens: 1000, completion_tokens: 500, prompt_tokens_details: { cached_tokens: 600 }, completion_tokens_details: { reasoning_tokens: 400 } },
    ],
    // 250000 × 2.5 + 1000 × 15 µ$ (at the tier), not 250000 × 1.25 + 1000 × 10
    ['Gemini long context', () => rig.fakes.geminiFake.on('*', { usage: { promptTokenCount: 250_000, candidatesTokenCount: 1000 } }), 'pro', {}, 0.64],
    // only the served attempt is billed: 1000 × 0.15 + 100 × 0.6 µ$ (the failed target's $100/M price never applies)
    [
      'failover',
      () => {
        rig.fakes.openaiFake.on('gpt-4o-down', { status: 503 });
        rig.fakes.openaiFake.on('gpt-4o-mini', { usage: { prompt_tokens: 1000, completion_tokens: 100 } });
      },
      'failover',
      {},
      0.00021,
    ],
  ])('%s', async (...row) => {
    // A rest parameter: jest would take a sixth named one for `done` on rows without client usage.
    const [, arrange, model, extra, usd, clientUsage] = row;
    arrange();
    const { id, content } = fresh();
    const res = await post('/v1/chat/completions', id, { model, messages: [{ role: 'user', content }], ...extra });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage: Record<string, unknown> };
    if (clientUsage) expect(body.usage).toMatchObject(clientUsage);
    expectUsd(Number(res.headers.get('x-switchyard-cost-usd')), usd);
    expectUsd((await logLine(id)).cost_usd, usd);
  });

  test('embeddings carry the cost header too: 1000 × $0.02/M', async () => {
    rig.fakes.openaiFake.on('text-embedding-3-small', { usage: { prompt_tokens: 1000, completion_tokens: 0 } });
    const { id, content } = fresh();
    const res = await post('/v1/embeddings', id, { model: 'embed', input: content });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-cost-usd')).toBe('0.00002');
    expectUsd((await logLine(id)).cost_usd, 0.00002);
  });

  test('a cache hit costs 0, and says so', async () => {
    rig.fakes.openaiFake.on('gpt-4o', { usage: { prompt_tokens: 1000, completion_tokens: 200 } });
    const { content } = fresh();
    const first = fresh().id;
    expect((await post('/v1/chat/completions', first, { model: 'gpt', messages: [{ role: 'user', content }] })).headers.get('x-switchyard-cost-usd')).toBe(
      '0.0045',
    );
    const again = fresh().id;
    const res = await post('/v1/chat/completions', again, { model: 'gpt', messages: [{ role: 'user', content }] });
    expect(res.headers.get('x-switchyard-cache')).toBe('hit');
    expect(res.headers.get('x-switchyard-cost-usd')).toBe('0');
    expect((await logLine(again)).cost_usd).toBe(0);
    expect(rig.fakes.openaiFake.calls).toHaveLength(1);
  });

  test('an unknown model is recorded as unpriced (null), never as 0, and gets no cost header', async () => {
    rig.fakes.openaiFake.on('my-finetune', { usage: { prompt_tokens: 10, completion_tokens: 10 } });
    const { id, content } = fresh();
    const res = await post('/v1/chat/completions', id, { model: 'mystery', messages: [{ role: 'user', content }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-cost-usd')).toBeNull();
    expect((await logLine(id)).cost_usd).toBeNull();
  });
});

/** The usage of an OpenAI stream's final usage chunk (none when the client did not ask). */
function finalUsage(events: string[]): Record<string, unknown> | undefined {
  const chunks = events.filter((e) => e !== '[DONE]').map((e) => JSON.parse(e) as { choices: unknown[]; usage?: Record<string, unknown> | null });
  return chunks.find((c) => c.choices.length === 0 && c.usage)?.usage ?? undefined;
}

describe('streams: the same bill, and the cost in the final usage chunk for clients that asked for usage', () => {
  const anthropicWrites = {
    input_tokens: 100,
    output_tokens: 200,
    cache_read_input_tokens: 2000,
    cache_creation_input_tokens: 1000,
    cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 0 },
  };

  test.each<[string, () => void, string, number]>([
    [
      'OpenAI cached',
      () => rig.fakes.openaiFake.on('gpt-4o', { usage: { prompt_tokens: 2000, completion_tokens: 300, cached_tokens: 1500 } }),
      'gpt',
      0.006125,
    ],
    [
      'DeepSeek hit and miss',
      () =>
        rig.fakes.openaiFake.on('deepseek-chat', {
          usage: { prompt_tokens: 1234, completion_tokens: 567 },
          vendorUsage: { prompt_cache_hit_tokens: 1000, prompt_cache_miss_tokens: 234 },
        }),
      'deepseek',
      0.00075688,
    ],
    ['Anthropic reads and 5-minute writes', () => rig.fakes.anthropicFake.on('*', { usage: anthropicWrites }), 'sonnet', 0.00765],
    [
      'Gemini cached and thinking',
      () =>
        rig.fakes.geminiFake.on('*', { usage: { promptTokenCount: 1000, cachedContentTokenCount: 600, candidatesTokenCount: 100, thoughtsTokenCount: 400 } }),
      'flash',
      0.001415,
    ],
  ])('%s, with and without include_usage', async (_name, arrange, model, usd) => {
    arrange();
    for (const includeUsage of [true, false]) {
      const { id, content } = fresh();
      const res = await post('/v1/chat/completions', id, {
        model,
        stream: true,
        messages: [{ role: 'user', content }],
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      });
      const usage = finalUsage(await readSse(res));
      if (includeUsage) expectUsd(usage?.cost_usd, usd);
      else expect(usage).toBeUndefined();
      const line = await logLine(id);
      expectUsd(line.cost_usd, usd);
      expect(line.usage_estimated).toBeUndefined();
    }
  });
});

describe('/v1/messages: Anthropic clients see Anthropic’s own usage fields and the bill', () => {
  const reported = {
    input_tokens: 100,
    output_tokens: 50,
    cache_read_input_tokens: 500,
    cache_creation_input_tokens: 1000,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 1000 },
  };

  test('a JSON answer carries the provider’s usage as it reported it, and the cost header', async () => {
    rig.fakes.anthropicFake.on('*', { usage: reported });
    const { id, content } = fresh();
    const res = await post('/v1/messages', id, { model: 'sonnet', max_tokens: 100, messages: [{ role: 'user', content }] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { usage: unknown }).usage).toEqual(reported);
    expect(res.headers.get('x-switchyard-cost-usd')).toBe('0.0072');
    expectUsd((await logLine(id)).cost_usd, 0.0072);
  });

  test('a stream’s final message_delta carries the usage and its cost', async () => {
    rig.fakes.anthropicFake.on('*', { usage: reported });
    const { id, content } = fresh();
    const res = await post('/v1/messages', id, { model: 'sonnet', max_tokens: 100, stream: true, messages: [{ role: 'user', content }] });
    const events = (await res.text()).split('\n\n').filter((e) => e.includes('data: '));
    const delta = events.map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)) as { type: string; usage?: unknown }).find((e) => e.type === 'message_delta');
    expect(delta?.usage).toEqual({ ...reported, cost_usd: 0.0072 });
    expectUsd((await logLine(id)).cost_usd, 0.0072);
  });

  test('the same fields come from a non-Anthropic backend, rebuilt from the usage contract', async () => {
    rig.fakes.openaiFake.on('gpt-4o', { usage: { prompt_tokens: 2000, completion_tokens: 300, cached_tokens: 1500 } });
    const { id, content } = fresh();
    const res = await post('/v1/messages', id, { model: 'gpt', max_tokens: 100, messages: [{ role: 'user', content }] });
    expect(((await res.json()) as { usage: unknown }).usage).toEqual({
      input_tokens: 500,
      output_tokens: 300,
      cache_read_input_tokens: 1500,
      cache_creation_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    });
    expect(res.headers.get('x-switchyard-cost-usd')).toBe('0.006125');
  });
});

describe('streams that end early are billed: reported counts kept, relayed output estimated, the record flagged', () => {
  const reply = 'one two three four five six seven eight nine ten';
  const pieces = streamPieces(reply);

  /**
   * The fake pauses after some pieces; the client reads until the last of them arrived (so the gateway has
   * committed to the stream), then lets the fake cut the connection, and reads to the end.
   */
  function pauseThenCut(): { paused: Promise<void>; readUntil(res: Response, piece: string): Promise<void> } {
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    return {
      paused,
      async readUntil(res, piece) {
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        let seen = '';
        while (!seen.includes(JSON.stringify(piece).slice(1, -1))) seen += decoder.decode((await reader.read()).value);
        resume();
        while (!(await reader.read().catch(() => ({ done: true }))).done);
      },
    };
  }

  test('an OpenAI stream cut by the upstream: prompt and relayed output estimated with the tokenizer', async () => {
    const cut = pauseThenCut();
    rig.fakes.openaiFake.on('gpt-4o', { reply, dropAfterChunks: 3, pauseAfterChunks: 3, pauseUntil: cut.paused });
    const { id, content } = fresh();
    const body = { model: 'gpt', stream: true, messages: [{ role: 'user', content }] };
    const res = await post('/v1/chat/completions', id, body);
    await cut.readUntil(res, pieces[2]);
    const line = await logLine(id);
    const prompt = promptTokensOf(body as never);
    const output = textTokens(pieces.slice(0, 3).join(''));
    expect(line.prompt_tokens).toBe(prompt);
    expect(line.completion_tokens).toBe(output);
    expect(line.usage_estimated).toBe(true);
    expectUsd(line.cost_usd, (prompt * 2.5 + output * 10) / 1e6);
  });

  test('an Anthropic stream the client aborts: message_start’s input and cache counts exact, output estimated', async () => {
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    rig.fakes.anthropicFake.on('*', {
      reply,
      usage: { input_tokens: 100, output_tokens: 200, cache_read_input_tokens: 2000 },
      pauseAfterDeltas: 2,
      pauseUntil: paused,
    });
    const { id, content } = fresh();
    const abort = new AbortController();
    const res = await post('/v1/chat/completions', id, { model: 'sonnet', stream: true, messages: [{ role: 'user', content }] }, abort.signal);
    const reader = res.body!.getReader();
    let seen = '';
    const decoder = new TextDecoder();
    // Read until both relayed deltas arrived, then leave.
    while (!seen.includes(JSON.stringify(pieces[1]).slice(1, -1))) seen += decoder.decode((await reader.read()).value);
    abort.abort();
    const line = await logLine(id);
    resume();
    const output = textTokens(pieces.slice(0, 2).join(''));
    expect(line.status).toBe(499);
    expect(line.prompt_tokens).toBe(2100);
    expect(line.cached_tokens).toBe(2000);
    expect(line.completion_tokens).toBe(output);
    expect(line.usage_estimated).toBe(true);
    // 100 × 3 + 2000 × 0.3 µ$ + the relayed output at 15
    expectUsd(line.cost_usd, (100 * 3 + 2000 * 0.3 + output * 15) / 1e6);
  });

  test('a /v1/messages stream cut by the upstream is billed the same way', async () => {
    const cut = pauseThenCut();
    rig.fakes.anthropicFake.on('*', {
      reply,
      usage: { input_tokens: 300, output_tokens: 200 },
      dropAfterDeltas: 4,
      pauseAfterDeltas: 4,
      pauseUntil: cut.paused,
    });
    const { id, content } = fresh();
    const res = await post('/v1/messages', id, { model: 'sonnet', max_tokens: 100, stream: true, messages: [{ role: 'user', content }] });
    await cut.readUntil(res, pieces[3]);
    const line = await logLine(id);
    const output = textTokens(pieces.slice(0, 4).join(''));
    expect(line.prompt_tokens).toBe(300);
    expect(line.completion_tokens).toBe(output);
    expect(line.usage_estimated).toBe(true);
    expectUsd(line.cost_usd, (300 * 3 + output * 15) / 1e6);
  });
});
