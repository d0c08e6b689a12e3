/**
 * Cache affinity through the real gateway, against a fake whose prompt cache is per target (as a provider's is):
 * a turn whose earlier turns were sent to the same target gets those tokens back as cached. The cached-token
 * share is measured with and without `affinity:` on the same traffic.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';

interface Msg {
  role: string;
  content: string;
}

/** OpenAI-compatible; each model remembers the conversation prefixes it has seen and reports them as cached. */
async function startCachingFake() {
  const seen = new Map<string, Set<string>>();
  const failing = new Set<string>();
  const served: string[] = [];
  const tokensOf = (messages: Msg[]) => messages.reduce((n, m) => n + Math.ceil(m.content.length / 4) + 4, 0);
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { model: string; messages: Msg[] };
      if (failing.has(body.model)) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }));
        return;
      }
      served.push(body.model);
      const cache = seen.get(body.model) ?? new Set<string>();
      seen.set(body.model, cache);
      // The longest prefix of this prompt that this model has already processed is a cache hit.
      let cached = 0;
      for (let n = body.messages.length - 1; n > 0; n--) {
        if (cache.has(JSON.stringify(body.messages.slice(0, n)))) {
          cached = tokensOf(body.messages.slice(0, n));
          break;
        }
      }
      for (let n = 1; n <= body.messages.length; n++) cache.add(JSON.stringify(body.messages.slice(0, n)));
      const answer = `answer ${body.messages.length}`;
      cache.add(JSON.stringify([...body.messages, { role: 'assistant', content: answer }]));
      const prompt = tokensOf(body.messages);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1,
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
          usage: { prompt_tokens: prompt, completion_tokens: 3, total_tokens: prompt + 3, prompt_tokens_details: { cached_tokens: cached } },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    served,
    failing,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let fake: Awaited<ReturnType<typeof startCachingFake>>;
let gw: InProcessGateway;

beforeAll(async () => {
  fake = await startCachingFake();
  const targets = `[ { provider: a, model: model-a }, { provider: b, model: model-b } ]`;
  gw = await startInProcess({
    config: `
providers:
  a: { api: openai, base_url: "${fake.url}", api_key: "sk-a" }
  b: { api: openai, base_url: "${fake.url}", api_key: "sk-b" }
cooldown: { failures: 1, window_s: 60, duration_s: 60 }
models:
  sticky: { strategy: weighted, affinity: { ttl_s: 600 }, targets: ${targets} }
  spread: { strategy: weighted, targets: ${targets} }
`,
  });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

async function turn(alias: string, messages: Msg[]) {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: alias, messages }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { choices: { message: Msg }[]; usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } } };
  return { reply: body.choices[0].message, usage: body.usage, model: res.headers.get('x-switchyard-model') };
}

/** Ten conversations of five turns each; returns the share of prompt tokens served from the cache. */
async function cachedShare(alias: string): Promise<{ share: number; movedMidConversation: number }> {
  let prompt = 0;
  let cached = 0;
  let moved = 0;
  for (let c = 0; c < 10; c++) {
    const messages: Msg[] = [{ role: 'system', content: `You are assistant number ${c} of the ${alias} test. `.repeat(20) }];
    let last: string | null = null;
    for (let t = 0; t < 5; t++) {
      messages.push({ role: 'user', content: `question ${t} of conversation ${c}` });
      const { reply, usage, model } = await turn(alias, messages);
      if (last !== null && model !== last) moved++;
      last = model;
      messages.push({ role: 'assistant', content: reply.content });
      prompt += usage.prompt_tokens;
      cached += usage.prompt_tokens_details.cached_tokens;
    }
  }
  return { share: cached / prompt, movedMidConversation: moved };
}

describe('cache affinity', () => {
  test('keeps each conversation on one target, so far more of the prompt is served from cache', async () => {
    const sticky = await cachedShare('sticky');
    const spread = await cachedShare('spread');
    // Printed so a reader of the CI log sees the figure the docs quote.
    // eslint-disable-next-line no-console -- the measured share
    console.log(`cached-token share: with affinity ${(sticky.share * 100).toFixed(1)}%, without ${(spread.share * 100).toFixed(1)}%`);
    expect(sticky.movedMidConversation).toBe(0);
    // Weighted 50/50 moves some of 40 later turns (all staying put has odds of 2^-40).
    expect(spread.movedMidConversation).toBeGreaterThan(0);
    expect(sticky.share).toBeGreaterThan(spread.share);
    expect(gw.logs().some((l) => l.includes('"affinity":"kept"'))).toBe(true);
  });

  test('a pinned target that cools down is left, and the conversation is pinned to the one that served', async () => {
    const messages: Msg[] = [
      { role: 'system', content: 'cooldown test' },
      { role: 'user', content: 'first' },
    ];
    const first = await turn('sticky', messages);
    const pinned = first.model as string;
    const other = pinned === 'model-a' ? 'model-b' : 'model-a';
    messages.push(first.reply, { role: 'user', content: 'second' });
    fake.failing.add(pinned); // one failure trips its breaker (failures: 1), so it cools down
    const second = await turn('sticky', messages);
    expect(second.model).toBe(other);
    fake.failing.delete(pinned);
    messages.push(second.reply, { role: 'user', content: 'third' });
    // The pinned target is cooling down for 60 s: the conversation stays where it moved to.
    for (let i = 0; i < 3; i++) expect((await turn('sticky', messages)).model).toBe(other);
  });
});
