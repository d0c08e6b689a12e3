import { errors, GatewayError } from '../errors';
import { requestContext } from '../../test/helpers/plugin-harness';
import type { LoadedPlugin } from './load-plugins';
import { Pipeline } from './pipeline';
import type { AttemptResult, PluginHooks } from './types';

const attempt = { alias: 'chat', provider: 'openai', model: 'gpt-4o', body: { model: 'gpt-4o', messages: [] } };
const plugin = (name: string, hooks: PluginHooks): LoadedPlugin => ({ name, hooks });
const never = <T>() => new Promise<T>(() => {});

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

// A hook fails between 1 and 1.25 timeouts after it started (hook-watchdog.ts): the tests wait 1.25.
describe('pipeline hook timeout', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('fails a request whose onRequest hook never settles with a 500 plugin_timeout naming the plugin and hook', async () => {
    const pipeline = new Pipeline([plugin('stuck', { onRequest: () => never() })], { hookTimeoutMs: 50 });
    const failed = rejectionOf(pipeline.onRequest(requestContext()));
    await jest.advanceTimersByTimeAsync(62.5);
    expect(await failed).toMatchObject({ status: 500, code: 'plugin_timeout', message: expect.stringMatching(/"stuck".*onRequest.*50 ms/) });
  });

  it('bounds beforeAttempt and onResponse too, and only logs a stuck onComplete', async () => {
    const pipeline = new Pipeline([plugin('slow', { beforeAttempt: () => never(), onResponse: () => never(), onComplete: () => never() })], {
      hookTimeoutMs: 10,
    });
    const ctx = requestContext();
    const before = rejectionOf(pipeline.beforeAttempt(ctx, attempt));
    const response = rejectionOf(pipeline.onResponse(ctx, { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [] }));
    const complete = pipeline.onComplete(ctx, { status: 200, completed: true, latencyMs: 1 });
    await jest.advanceTimersByTimeAsync(12.5);
    expect(await before).toMatchObject({ code: 'plugin_timeout', message: expect.stringContaining('beforeAttempt') });
    expect(await response).toMatchObject({ code: 'plugin_timeout', message: expect.stringContaining('onResponse') });
    await expect(complete).resolves.toBeUndefined();
  });

  it("runs every plugin's onComplete after one hung, each with its own timeout, and ignores the hung one settling late", async () => {
    let release!: () => void;
    const ran: string[] = [];
    const pipeline = new Pipeline(
      [
        plugin('stuck', { onComplete: () => new Promise<void>((resolve) => (release = resolve)) }),
        plugin('slow', { onComplete: () => new Promise<void>((resolve) => setTimeout(() => (ran.push('slow'), resolve()), 9)) }),
        plugin('sync', { onComplete: () => void ran.push('sync') }),
      ],
      { hookTimeoutMs: 10 },
    );
    const complete = pipeline.onComplete(requestContext(), { status: 200, completed: true, latencyMs: 1 });
    await jest.advanceTimersByTimeAsync(12.5);
    release();
    await jest.advanceTimersByTimeAsync(9);
    await expect(complete).resolves.toBeUndefined();
    expect(ran).toEqual(['slow', 'sync']);
  });

  it("times each onRequest hook from its own start, not the stage's", async () => {
    const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 8));
    const pipeline = new Pipeline([plugin('a', { onRequest: slow }), plugin('b', { onRequest: slow }), plugin('c', { onRequest: slow })], {
      hookTimeoutMs: 10,
    });
    const result = pipeline.onRequest(requestContext());
    await jest.advanceTimersByTimeAsync(24);
    await expect(result).resolves.toBeUndefined();
  });

  it('does not fail a slow hook before its timeout', async () => {
    let finish!: () => void;
    const pipeline = new Pipeline([plugin('slow', { onRequest: () => new Promise<void>((resolve) => (finish = resolve)) })], { hookTimeoutMs: 40 });
    const result = pipeline.onRequest(requestContext());
    await jest.advanceTimersByTimeAsync(39);
    finish();
    await expect(result).resolves.toBeUndefined();
  });

  it('starts no timer for a hook that returns a plain value', async () => {
    const pipeline = new Pipeline([plugin('sync', { onRequest: () => undefined })], { hookTimeoutMs: 10 });
    await pipeline.onRequest(requestContext());
    expect(jest.getTimerCount()).toBe(0);
  });

  it('times the plugin part of aroundAttempt, not the upstream attempt inside it', async () => {
    const pipeline = new Pipeline([plugin('wrap', { aroundAttempt: (_ctx, _a, next) => next() })], { hookTimeoutMs: 10 });
    let answer!: (value: string) => void;
    const upstream = new Promise<string>((resolve) => (answer = resolve));
    const result = pipeline.aroundAttempt(requestContext(), attempt, () => upstream);
    await jest.advanceTimersByTimeAsync(100);
    answer('slow but fine');
    await expect(result).resolves.toBe('slow but fine');

    const stuck = new Pipeline([plugin('stuck', { aroundAttempt: () => never<AttemptResult>() })], { hookTimeoutMs: 10 });
    const failed = rejectionOf(stuck.aroundAttempt(requestContext(), attempt, async () => 'never called'));
    await jest.advanceTimersByTimeAsync(12.5);
    expect(await failed).toMatchObject({ code: 'plugin_timeout', message: expect.stringContaining('aroundAttempt') });
  });
});

describe('aroundAttempt', () => {
  it('is the attempt itself when no plugin has the hook', async () => {
    const pipeline = new Pipeline([plugin('none', {})]);
    const run = jest.fn(async () => 'answer');
    await expect(pipeline.aroundAttempt(requestContext(), attempt, run)).resolves.toBe('answer');
    expect(pipeline.has('aroundAttempt')).toBe(false);
  });

  it('wraps the attempt with the first plugin outermost, and tells when the answer released its upstream', async () => {
    const order: string[] = [];
    const wrap = (name: string): PluginHooks => ({
      async aroundAttempt(_ctx, _a, next) {
        order.push(`${name} in`);
        const result = await next();
        void result.released.then(() => order.push(`${name} released`));
        order.push(`${name} out`);
        return result;
      },
    });
    let endStream!: () => void;
    const done = new Promise<void>((resolve) => (endStream = resolve));
    const pipeline = new Pipeline([plugin('a', wrap('a')), plugin('b', wrap('b'))]);
    const value = await pipeline.aroundAttempt(requestContext(), attempt, async () => (order.push('upstream'), 'stream'), { heldUntil: () => done });
    expect(value).toBe('stream');
    expect(order).toEqual(['a in', 'b in', 'upstream', 'b out', 'a out']);
    endStream();
    await done;
    await new Promise(setImmediate);
    expect(order.slice(5).sort()).toEqual(['a released', 'b released']);
  });

  it("passes the upstream's failure through unchanged, and turns a plugin's own throw into plugin_error", async () => {
    const upstreamDown = new Error('ECONNREFUSED');
    const passing = new Pipeline([plugin('p', { aroundAttempt: (_c, _a, next) => next() })]);
    expect(await rejectionOf(passing.aroundAttempt(requestContext(), attempt, () => Promise.reject(upstreamDown)))).toBe(upstreamDown);

    const refusing = new Pipeline([
      plugin('refuser', {
        aroundAttempt: async () => {
          throw errors.badRequest('not now');
        },
      }),
    ]);
    expect(await rejectionOf(refusing.aroundAttempt(requestContext(), attempt, async () => 'x'))).toMatchObject({ status: 400, message: 'not now' });

    const swallowing = new Pipeline([plugin('swallower', { aroundAttempt: (_c, _a, next) => next().catch(() => ({ released: Promise.resolve() })) })]);
    expect(await rejectionOf(swallowing.aroundAttempt(requestContext(), attempt, () => Promise.reject(upstreamDown)))).toBe(upstreamDown);

    const broken = new Pipeline([
      plugin('broken', {
        aroundAttempt: async () => {
          throw new TypeError('oops');
        },
      }),
    ]);
    expect(await rejectionOf(broken.aroundAttempt(requestContext(), attempt, async () => 'x'))).toMatchObject({ status: 500, code: 'plugin_error' });
  });

  it('discards an answer a plugin refused after it was made', async () => {
    const discard = jest.fn();
    const pipeline = new Pipeline([
      plugin('late', {
        async aroundAttempt(_c, _a, next) {
          await next();
          throw errors.badRequest('changed my mind');
        },
      }),
    ]);
    await rejectionOf(pipeline.aroundAttempt(requestContext(), attempt, async () => 'opened stream', { discard }));
    expect(discard).toHaveBeenCalledWith('opened stream');
  });
});

describe('GatewayError across copies of the package', () => {
  it('is recognised by instanceof when it was made by a separately loaded copy of errors.ts', () => {
    let other: typeof import('../errors') | undefined;
    jest.isolateModules(() => {
      other = jest.requireActual<typeof import('../errors')>('../errors');
    });
    expect(other!.GatewayError).not.toBe(GatewayError);
    const foreign = other!.errors.badRequest('from another copy');
    expect(foreign instanceof GatewayError).toBe(true);
    expect(errors.badRequest('ours') instanceof other!.GatewayError).toBe(true);
    expect(new Error('plain') instanceof GatewayError).toBe(false);
    expect((null as unknown as object) instanceof GatewayError).toBe(false);
  });

  it("makes the pipeline answer with the other copy's error instead of a 500", async () => {
    let other: typeof import('../errors') | undefined;
    jest.isolateModules(() => {
      other = jest.requireActual<typeof import('../errors')>('../errors');
    });
    const pipeline = new Pipeline([
      plugin('foreign', {
        onRequest: () => {
          throw other!.errors.badRequest('refused', 'messages', 'refused');
        },
      }),
    ]);
    expect(await rejectionOf(pipeline.onRequest(requestContext()))).toMatchObject({ status: 400, code: 'refused' });
  });
});
