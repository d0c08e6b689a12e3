import type { PluginHooks, RequestContext, RequestOutcome } from '../../pipeline/types';
import type { ChatCompletion } from '../../providers/openai-types';
import { describeWithService, REDIS_URL } from '../../../test/helpers/services';
import { requestContext, testEnv, type TestEnv } from '../../../test/helpers/plugin-harness';
import { cacheKey } from './cache-key';
import { cachePlugin, type CacheOptions } from './index';

const envs: TestEnv[] = [];
afterEach(async () => {
  for (const env of envs.splice(0)) await env.dispose();
});

async function cache(options: CacheOptions = {}): Promise<PluginHooks> {
  const env = testEnv();
  envs.push(env);
  return cachePlugin.create(options, env);
}

const answer: ChatCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
};

function ask(init: { key?: string; stream?: boolean; headers?: Record<string, string>; content?: string } = {}): RequestContext {
  return requestContext({
    keyName: init.key ?? 'team-a',
    headers: init.headers,
    body: { model: 'chat', messages: [{ role: 'user', content: init.content ?? 'Hello' }], temperature: 0, ...(init.stream ? { stream: true } : {}) },
  });
}

const completed = (response: ChatCompletion = answer): RequestOutcome => ({ status: 200, completed: true, response, usage: response.usage, latencyMs: 5 });

/** Runs a request through the cache; returns the direct answer when it was a hit. */
async function run(hooks: PluginHooks, ctx: RequestContext, outcome: RequestOutcome = completed()) {
  const direct = await hooks.onRequest!(ctx);
  await hooks.onComplete!(ctx, direct ? completed(direct.respond) : outcome);
  return direct ? direct.respond : undefined;
}

describe('cache plugin', () => {
  it('misses first, then answers the same request from the cache with cost 0', async () => {
    const hooks = await cache();
    const first = ask();
    expect(await run(hooks, first)).toBeUndefined();
    expect(first.responseHeaders['x-switchyard-cache']).toBe('miss');
    const second = ask();
    expect(await run(hooks, second)).toEqual(answer);
    expect(second.responseHeaders['x-switchyard-cache']).toBe('hit');
    expect(second.get('cache')).toBe('hit');
    expect(second.logFields).toEqual({ cache: 'hit' });
  });

  it('serves a stream request from an answer stored by a non-stream request, and the other way round', async () => {
    const hooks = await cache();
    await run(hooks, ask());
    expect(await run(hooks, ask({ stream: true }))).toEqual(answer);
    await run(hooks, ask({ stream: true, content: 'streamed first' }));
    expect(await run(hooks, ask({ content: 'streamed first' }))).toBeDefined();
  });

  it('never stores a truncated stream or an error', async () => {
    const hooks = await cache();
    await run(hooks, ask({ stream: true }), { status: 200, completed: false, latencyMs: 5 });
    const cut = { ...answer, choices: [{ ...answer.choices[0], finish_reason: null }] };
    await run(hooks, ask({ stream: true }), { status: 200, completed: true, response: cut, latencyMs: 5 });
    await run(hooks, ask(), { status: 502, completed: false, latencyMs: 5 });
    expect(await run(hooks, ask())).toBeUndefined();
  });

  it('keeps each key to its own entries unless shared', async () => {
    const scoped = await cache();
    await run(scoped, ask({ key: 'team-a' }));
    expect(await run(scoped, ask({ key: 'team-b' }))).toBeUndefined();
    const shared = await cache({ shared: true });
    await run(shared, ask({ key: 'team-a' }));
    expect(await run(shared, ask({ key: 'team-b' }))).toEqual(answer);
  });

  it('skips the lookup for Cache-Control: no-cache and storing for no-store', async () => {
    const hooks = await cache();
    const noStore = ask({ headers: { 'cache-control': 'no-store' } });
    await run(hooks, noStore);
    expect(noStore.responseHeaders['x-switchyard-cache']).toBe('bypass');
    expect(await run(hooks, ask())).toBeUndefined();
    const noCache = ask({ headers: { 'cache-control': 'no-cache' } });
    expect(await run(hooks, noCache)).toBeUndefined();
    expect(noCache.responseHeaders['x-switchyard-cache']).toBe('bypass');
    expect(await run(hooks, ask())).toEqual(answer);
  });

  it('expires entries after ttl_s', async () => {
    const hooks = await cache({ ttl_s: 0.05 });
    await run(hooks, ask());
    await new Promise((r) => setTimeout(r, 80));
    expect(await run(hooks, ask())).toBeUndefined();
  });
});

describe('cache key', () => {
  const body = { model: 'chat', messages: [{ role: 'user', content: 'x' }], temperature: 0.2, tools: [{ type: 'function', function: { name: 'f' } }] };
  it('ignores key order and delivery-only fields, but not parameters that change the answer', () => {
    const k = cacheKey({ endpoint: 'chat', scope: 'a', body });
    expect(
      cacheKey({
        endpoint: 'chat',
        scope: 'a',
        body: { temperature: 0.2, tools: body.tools, messages: body.messages, model: 'chat', stream: true, user: 'u' },
      }),
    ).toBe(k);
    expect(cacheKey({ endpoint: 'chat', scope: 'a', body: { ...body, temperature: 0.3 } })).not.toBe(k);
    expect(cacheKey({ endpoint: 'chat', scope: 'a', body: { ...body, tools: [] } })).not.toBe(k);
    expect(cacheKey({ endpoint: 'chat', scope: 'a', body: { ...body, model: 'other' } })).not.toBe(k);
    expect(cacheKey({ endpoint: 'chat', scope: 'b', body })).not.toBe(k);
  });
});

describeWithService(['redis'], 'cache plugin with Redis', () => {
  it('shares answers between two gateway instances', async () => {
    const content = `shared ${Date.now()}`;
    const [a, b] = await Promise.all([cache({ store: REDIS_URL }), cache({ store: REDIS_URL })]);
    await new Promise((r) => setTimeout(r, 200));
    await run(a, ask({ content }));
    expect(await run(b, ask({ content }))).toEqual(answer);
  });
});
