import { GatewayError } from '../../errors';
import type { PluginHooks, RequestContext } from '../../pipeline/types';
import { describeWithService, REDIS_URL, startPrivateRedis } from '../../../test/helpers/services';
import { requestContext, testEnv, type TestEnv } from '../../../test/helpers/plugin-harness';
import { rateLimitPlugin } from './index';
import type { RateLimitOptions } from './options';

const envs: TestEnv[] = [];
afterEach(async () => {
  for (const env of envs.splice(0)) await env.dispose();
});

async function limiter(options: RateLimitOptions, config: Record<string, unknown> = {}): Promise<PluginHooks> {
  const env = testEnv(config);
  envs.push(env);
  return rateLimitPlugin.create(options, env);
}

function request(keyName: string, body: Record<string, unknown> = {}): RequestContext {
  return requestContext({ keyName, body: { model: 'chat', ...body } });
}

async function outcomeOf(run: () => unknown): Promise<'ok' | GatewayError> {
  try {
    await run();
    return 'ok';
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
}

const done = { status: 200, completed: true, latencyMs: 1 };

describe('rate-limit plugin', () => {
  it('puts x-ratelimit-* headers on every admitted request', async () => {
    const hooks = await limiter({ per_key: { rpm: 60, tpm: 10_000 } });
    const ctx = request('team-a', { max_tokens: 100 });
    await hooks.onRequest!(ctx);
    expect(ctx.responseHeaders).toMatchObject({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-limit-tokens': '10000',
    });
    expect(ctx.responseHeaders['x-ratelimit-reset-requests']).toMatch(/^\d+ms$|^1s$/);
    expect(Number(ctx.responseHeaders['x-ratelimit-remaining-tokens'])).toBeLessThan(10_000 - 100);
  });

  it('lets a request over the limit wait for a slot and then succeed', async () => {
    // Fake timers (Date.now included, which the buckets and the queue read): the clock moves only when told to.
    jest.useFakeTimers();
    try {
      const hooks = await limiter({ per_key: { rpm: 60 }, max_queue_ms: 2000 });
      for (let i = 0; i < 60; i++) await hooks.onRequest!(request('team-a'));
      let settled = false;
      const outcome = outcomeOf(() => hooks.onRequest!(request('team-a'))).finally(() => (settled = true));
      // 60 rpm refills one request a second: half a second on, it is still waiting, not refused.
      await jest.advanceTimersByTimeAsync(500);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(600);
      expect(await outcome).toBe('ok');
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers 429 with Retry-After when the wait would pass max_queue_ms', async () => {
    const hooks = await limiter({ per_key: { rpm: 60 }, max_queue_ms: 300 });
    for (let i = 0; i < 60; i++) await hooks.onRequest!(request('team-a'));
    // Rejected at once, not after queueing for max_queue_ms: it settles before a timer of that length started
    // just before it (equal timers fire in the order they were set, so this is not a wall-clock bound).
    let queueTimeElapsed = false;
    const timer = setTimeout(() => (queueTimeElapsed = true), 300);
    const err = await outcomeOf(() => hooks.onRequest!(request('team-a')));
    clearTimeout(timer);
    expect(queueTimeElapsed).toBe(false);
    expect(err).toBeInstanceOf(GatewayError);
    const e = err as GatewayError;
    expect(e).toMatchObject({ status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(e.headers['retry-after']).toBe('1');
    expect(e.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(e.message).toContain('key "team-a" requests per minute (60)');
  });

  it('limits each key separately, own limits first, per_key as the default', async () => {
    const hooks = await limiter({ per_key: { rpm: 2 }, max_queue_ms: 0 });
    const vip = () => requestContext({ body: { model: 'chat' } });
    for (let i = 0; i < 2; i++) await hooks.onRequest!(request('a'));
    expect(await outcomeOf(() => hooks.onRequest!(request('a')))).toMatchObject({ status: 429 });
    expect(await outcomeOf(() => hooks.onRequest!(request('b')))).toBe('ok');
    const own = vip();
    own.caller = { keyName: 'vip', models: ['*'] };
    own.set('callerLimits', { rpm: 5 });
    await hooks.onRequest!(own);
    expect(own.responseHeaders['x-ratelimit-limit-requests']).toBe('5');
  });

  it('serves waiting keys in turn, so one busy key cannot starve another', async () => {
    // 120 rpm: a slot every 500 ms, slow enough that draining the bucket does not refill it meanwhile.
    const hooks = await limiter({ per_alias: { chat: { rpm: 120 } }, max_queue_ms: 5000 });
    for (let i = 0; i < 120; i++) await hooks.onRequest!(request('busy'));
    const order: string[] = [];
    const admit = (key: string, tag: string) => Promise.resolve(hooks.onRequest!(request(key))).then(() => order.push(tag));
    const waits = [admit('busy', 'busy1'), admit('busy', 'busy2'), admit('busy', 'busy3')];
    await new Promise((r) => setTimeout(r, 10));
    waits.push(admit('quiet', 'quiet1'));
    await Promise.all(waits);
    expect(order.indexOf('quiet1')).toBeLessThan(order.indexOf('busy3'));
    expect(order[0]).toBe('busy1');
  });

  it('corrects the token estimate with the real usage when the request completes', async () => {
    const hooks = await limiter({ per_key: { tpm: 10_000 } });
    const first = request('a', { max_tokens: 4000 });
    await hooks.onRequest!(first);
    expect(Number(first.responseHeaders['x-ratelimit-remaining-tokens'])).toBeLessThan(6000);
    await hooks.onComplete!(first, { ...done, usage: { prompt_tokens: 10, completion_tokens: 40, total_tokens: 50 } });
    const second = request('a', { max_tokens: 0 });
    await hooks.onRequest!(second);
    const remaining = Number(second.responseHeaders['x-ratelimit-remaining-tokens']);
    // 10000 − 50 real − about 8 estimated for the second request.
    expect(remaining).toBeGreaterThan(9930);
    expect(remaining).toBeLessThanOrEqual(9950);
  });

  it('gives all tokens back for a cache hit', async () => {
    const hooks = await limiter({ per_key: { tpm: 1000 } });
    const hit = request('a', { max_tokens: 500 });
    await hooks.onRequest!(hit);
    hit.set('cache', 'hit');
    await hooks.onComplete!(hit, { ...done, usage: { prompt_tokens: 10, completion_tokens: 40, total_tokens: 50 } });
    const next = request('a', { max_tokens: 0 });
    await hooks.onRequest!(next);
    expect(Number(next.responseHeaders['x-ratelimit-remaining-tokens'])).toBeGreaterThan(985);
  });

  it('shapes traffic to a provider rpm before each attempt', async () => {
    const hooks = await limiter({ max_queue_ms: 100 }, { providers: { openai: { api: 'openai', limits: { rpm: 1 } } } });
    const attempt = { alias: 'chat', provider: 'openai', model: 'gpt-4o', body: { model: 'gpt-4o', messages: [] } };
    const a = request('a');
    await hooks.onRequest!(a);
    await hooks.beforeAttempt!(a, attempt);
    const b = request('b');
    await hooks.onRequest!(b);
    expect(await outcomeOf(() => hooks.beforeAttempt!(b, attempt))).toMatchObject({ status: 429, message: expect.stringContaining('provider "openai"') });
    // Another provider without limits is not affected.
    await hooks.beforeAttempt!(b, { ...attempt, provider: 'other' });
  });

  it('holds attempts past a provider concurrency limit until the attempt holding the slot stops using its upstream', async () => {
    const hooks = await limiter({ max_queue_ms: 2000 }, { providers: { openai: { api: 'openai', limits: { concurrency: 1 } } } });
    const attempt = { alias: 'chat', provider: 'openai', model: 'gpt-4o', body: { model: 'gpt-4o', messages: [] } };
    const a = request('a');
    const b = request('b');
    await hooks.onRequest!(a);
    await hooks.onRequest!(b);
    let endStream!: () => void;
    const released = new Promise<void>((resolve) => (endStream = resolve));
    // a's attempt answers with a stream that keeps its upstream connection until endStream().
    await hooks.aroundAttempt!(a, attempt, async () => ({ released }));
    let bCalled = false;
    const bAttempt = hooks.aroundAttempt!(b, attempt, async () => {
      bCalled = true;
      return { released: Promise.resolve() };
    });
    await new Promise(setImmediate);
    expect(bCalled).toBe(false);
    endStream();
    await bAttempt;
    expect(bCalled).toBe(true);
  });

  it("frees a failed attempt's concurrency slot at once, so the request's next attempt (or another request) gets it", async () => {
    const hooks = await limiter({ max_queue_ms: 0 }, { providers: { openai: { api: 'openai', limits: { concurrency: 1 } } } });
    const attempt = { alias: 'chat', provider: 'openai', model: 'gpt-4o', body: { model: 'gpt-4o', messages: [] } };
    const a = request('a');
    const b = request('b');
    await hooks.onRequest!(a);
    await hooks.onRequest!(b);
    const upstreamDown = new Error('connect ECONNREFUSED');
    await expect(hooks.aroundAttempt!(a, attempt, () => Promise.reject(upstreamDown))).rejects.toBe(upstreamDown);
    // With no wait allowed, b gets in only if a's slot is already free.
    await expect(hooks.aroundAttempt!(b, attempt, async () => ({ released: Promise.resolve() }))).resolves.toBeDefined();
  });

  it('answers 429 when no provider slot frees before max_queue_ms', async () => {
    const hooks = await limiter({ max_queue_ms: 0 }, { providers: { openai: { api: 'openai', limits: { concurrency: 1 } } } });
    const attempt = { alias: 'chat', provider: 'openai', model: 'gpt-4o', body: { model: 'gpt-4o', messages: [] } };
    const a = request('a');
    const b = request('b');
    await hooks.onRequest!(a);
    await hooks.onRequest!(b);
    await hooks.aroundAttempt!(a, attempt, async () => ({ released: new Promise<void>(() => {}) }));
    expect(await outcomeOf(() => hooks.aroundAttempt!(b, attempt, async () => ({ released: Promise.resolve() })))).toMatchObject({
      status: 429,
      code: 'rate_limit_exceeded',
      message: expect.stringContaining('concurrency limit'),
    });
  });

  it('rejects a malformed provider limits entry at load', async () => {
    await expect(limiter({}, { providers: { openai: { api: 'openai', limits: { rps: 1 } } } })).rejects.toThrow(/unknown setting "rps"/);
  });
});

describeWithService(['redis'], 'rate-limit plugin with Redis', () => {
  it('two gateway instances sharing one Redis enforce one combined limit', async () => {
    const key = `shared-${Date.now()}`;
    const [a, b] = await Promise.all([
      limiter({ store: REDIS_URL, per_key: { rpm: 5 }, max_queue_ms: 0 }),
      limiter({ store: REDIS_URL, per_key: { rpm: 5 }, max_queue_ms: 0 }),
    ]);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => outcomeOf(() => (i % 2 ? a : b).onRequest!(request(key)))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(5);
    expect(results.filter((r) => r !== 'ok')).toHaveLength(5);
  });
});

describeWithService(['redis-server binary'], 'rate-limit plugin when Redis goes away', () => {
  it('keeps answering requests with local limits, and shares limits again when Redis returns', async () => {
    const redis = await startPrivateRedis();
    try {
      const hooks = await limiter({ store: redis.url, per_key: { rpm: 1000 }, max_queue_ms: 0 });
      await hooks.onRequest!(request('a'));
      await redis.stop();
      for (let i = 0; i < 5; i++) expect(await outcomeOf(() => hooks.onRequest!(request('a')))).toBe('ok');
      await redis.start();
      // The client reconnects on its own backoff (up to 2 s). Until then requests keep counting down the local
      // bucket (994, 993, …); the first one served by the fresh Redis finds a full bucket there: 999.
      let remaining: string | undefined;
      for (const deadline = Date.now() + 10_000; remaining !== '999' && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 100));
        const ctx = request('a');
        await hooks.onRequest!(ctx);
        remaining = ctx.responseHeaders['x-ratelimit-remaining-requests'];
      }
      expect(remaining).toBe('999');
    } finally {
      await redis.stop();
    }
  });
});
