/**
 * Runs the loaded plugins' hooks in their fixed order (see types.ts). Each hook is isolated: a GatewayError it
 * throws becomes the request's answer; anything else is logged and becomes a 500 naming the plugin; a hook whose
 * promise does not settle within the hook timeout becomes a 500 `plugin_timeout` naming the plugin and hook.
 * Per hook, only the plugins that define it are visited, so an empty pipeline costs nothing on the hot path, and
 * a hook that returns a plain value (not a promise) is not timed at all; promises are timed by one shared sweep
 * (hook-watchdog.ts), not a timer each.
 */
import { errors, GatewayError } from '../errors';
import type { ChatCompletion, ChatCompletionChunk, Usage } from '../providers/openai-types';
import { HookWatchdog, type WatchedCall } from './hook-watchdog';
import type { LoadedPlugin } from './load-plugins';
import type { AttemptInfo, AttemptResult, DirectAnswer, PluginHooks, PluginRoute, RequestContext, RequestOutcome } from './types';

type HookName = keyof Omit<PluginHooks, 'routes'>;

export interface PipelineOptions {
  /** Longest time an asynchronous hook may take before its request fails (server.plugin_hook_timeout_ms). Unbounded when absent. */
  hookTimeoutMs?: number;
}

/** How an attempt's answer keeps using its upstream (routing's AnswerLifecycle, seen from the pipeline). */
export interface AttemptAnswer<T> {
  heldUntil?(value: T): Promise<void>;
  discard?(value: T): void;
}

const RELEASED: Promise<void> = Promise.resolve();
const NOT_THROWN = Symbol('not thrown');

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * What a hook with no plugins returns: an already settled promise, not an async call. Every request passes
 * each hook, and an async function's frame and promise cost more than the (usually empty) loop inside.
 */
const NOTHING: Promise<undefined> = Promise.resolve(undefined);

function hookFailure(plugin: LoadedPlugin, ctx: RequestContext, hook: string, err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  ctx.log.error('plugin hook threw', { plugin: plugin.name, hook, request_id: ctx.id, error: (err as Error)?.stack ?? String(err) });
  return errors.pluginFailed(plugin.name);
}

function hookTimedOut(plugin: LoadedPlugin, ctx: RequestContext, hook: string, timeoutMs: number): GatewayError {
  ctx.log.error('plugin hook timed out', { plugin: plugin.name, hook, request_id: ctx.id, timeout_ms: timeoutMs });
  return errors.pluginTimeout(plugin.name, hook, timeoutMs);
}

/** What a stage's `take` returns to end the stage with `value` (onRequest's direct answer). */
class Stop<A> {
  constructor(readonly value: A) {}
}

/**
 * How a stage calls its hook (`call`, with the stage's extra argument), folds a result into what it carries
 * (`take`), and whether a failing hook is only logged so the next plugin's hook still runs (`tolerant`). Module
 * constants, so starting a stage allocates no closures.
 */
interface StageKind<A, X> {
  call(p: LoadedPlugin, ctx: RequestContext, acc: A, extra: X): unknown;
  take(acc: A, result: unknown): A | Stop<A>;
  tolerant: boolean;
}

const keep = <A>(acc: A): A => acc;
const ON_REQUEST: StageKind<DirectAnswer | undefined, undefined> = {
  call: (p, ctx) => p.hooks.onRequest!(ctx),
  // The first direct answer ends the stage (`in` throws on a non-object: a failure of that hook, as before).
  take: (_acc, r) => (r && 'respond' in (r as object) ? new Stop(r as DirectAnswer) : undefined),
  tolerant: false,
};
const BEFORE_ATTEMPT: StageKind<void, AttemptInfo> = { call: (p, ctx, _acc, attempt) => p.hooks.beforeAttempt!(ctx, attempt), take: keep, tolerant: false };
const ON_RESPONSE: StageKind<ChatCompletion, undefined> = {
  call: (p, ctx, current) => p.hooks.onResponse!(ctx, current),
  take: (acc, r) => (r as ChatCompletion | undefined) ?? acc,
  tolerant: false,
};
const ON_ERROR: StageKind<void, GatewayError> = { call: (p, ctx, _acc, error) => p.hooks.onError!(ctx, error), take: keep, tolerant: true };
const ON_COMPLETE: StageKind<void, RequestOutcome> = { call: (p, ctx, _acc, outcome) => p.hooks.onComplete!(ctx, outcome), take: keep, tolerant: true };

/**
 * One run of a stage's hooks (onRequest, beforeAttempt, onResponse, onComplete, onError) over its plugins, in
 * order, as one promise (`promise`). A thrown or rejected hook ends the stage with its error, unless the stage
 * is tolerant (onComplete, onError): then it is logged and the next plugin's hook runs, also after a hook that
 * hung past the timeout, whose late settling is then ignored.
 *
 * Why this and not an async loop over `await bounded(...)`: with all four built-in plugins a request runs seven
 * asynchronous hooks, and each cost a wrapper `new Promise`, a watchdog entry made, added and deleted, and an
 * async function's resumption, plus a microtask turn for each synchronous one (`npm run bench:probe`, scenario 2,
 * put ~3 µs per request on `bounded`). Measured alone (`node dist/bench/pipeline-stages.js`: hooks shaped like the
 * built-ins', 16 requests at a time): 1.65 → 0.86 µs of CPU per request, 0.73 for dbdf9e6 (no hook timeout).
 * Here a stage is one promise; a synchronous result is taken without a microtask turn; a promise gets one `then`,
 * with handlers made once per stage; and the stage itself is its WatchedCall, re-armed for each asynchronous hook.
 */
class HookStage<A, X> implements WatchedCall {
  readonly promise: Promise<A>;
  deadline = 0;
  private resolve!: (value: A) => void;
  private reject!: (err: unknown) => void;
  private i = 0;
  // Bumped when a hook timed out or the stage ended, so a late settlement of a hook given up on is ignored.
  private epoch = 0;
  private handlersEpoch = -1;
  private onValue: (result: unknown) => void = keep;
  private onError: (err: unknown) => void = keep;

  constructor(
    private readonly plugins: LoadedPlugin[],
    private readonly ctx: RequestContext,
    private readonly hook: HookName,
    private readonly kind: StageKind<A, X>,
    private acc: A,
    private readonly extra: X,
    private readonly watchdog: HookWatchdog | undefined,
  ) {
    this.promise = new Promise<A>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.run();
  }

  /** The watchdog's call: the hook in flight timed out. */
  expire(): void {
    this.epoch++;
    this.failed(hookTimedOut(this.plugins[this.i], this.ctx, this.hook, this.watchdog!.timeoutMs));
  }

  private run(): void {
    const { plugins, kind } = this;
    while (this.i < plugins.length) {
      let result: unknown;
      try {
        result = kind.call(plugins[this.i], this.ctx, this.acc, this.extra);
      } catch (err) {
        this.failed(err);
        return;
      }
      if (isThenable(result)) {
        this.watchdog?.watch(this);
        if (this.handlersEpoch !== this.epoch) this.makeHandlers();
        result.then(this.onValue, this.onError);
        return;
      }
      if (!this.took(result)) return;
    }
    this.end();
    this.resolve(this.acc);
  }

  private makeHandlers(): void {
    const mine = (this.handlersEpoch = this.epoch);
    this.onValue = (result) => {
      if (mine === this.epoch && this.took(result)) this.run();
    };
    this.onError = (err) => {
      if (mine === this.epoch) this.failed(err);
    };
  }

  /** Takes plugin i's result; false when the stage is over (a direct answer, or a result `take` threw on). */
  private took(result: unknown): boolean {
    let next: A | Stop<A>;
    try {
      next = this.kind.take(this.acc, result);
    } catch (err) {
      this.failed(err);
      return false;
    }
    this.i++;
    if (next instanceof Stop) {
      this.acc = next.value;
      this.end();
      this.resolve(this.acc);
      return false;
    }
    this.acc = next;
    return true;
  }

  private failed(err: unknown): void {
    const error = hookFailure(this.plugins[this.i], this.ctx, this.hook, err);
    if (!this.kind.tolerant) {
      this.end();
      this.reject(error);
      return;
    }
    this.i++;
    this.run();
  }

  private end(): void {
    this.epoch++;
    this.watchdog?.unwatch(this);
  }
}

/**
 * @example
 * const pipeline = new Pipeline(loadedPlugins, { hookTimeoutMs: 30_000 });
 * const direct = await pipeline.onRequest(ctx);
 */
export class Pipeline {
  private readonly by: { [K in HookName]: LoadedPlugin[] };

  private readonly watchdog: HookWatchdog | undefined;

  constructor(
    readonly plugins: LoadedPlugin[],
    options: PipelineOptions = {},
  ) {
    this.watchdog = options.hookTimeoutMs === undefined ? undefined : new HookWatchdog(options.hookTimeoutMs);
    const having = (h: HookName) => plugins.filter((p) => typeof p.hooks[h] === 'function');
    this.by = {
      onHeaders: having('onHeaders'),
      onRequest: having('onRequest'),
      beforeAttempt: having('beforeAttempt'),
      aroundAttempt: having('aroundAttempt'),
      onUsage: having('onUsage'),
      onResponse: having('onResponse'),
      onStreamChunk: having('onStreamChunk'),
      onComplete: having('onComplete'),
      onError: having('onError'),
      filterModels: having('filterModels'),
      close: having('close'),
    };
  }

  /** Routes contributed by plugins (admin endpoints). */
  get routes(): PluginRoute[] {
    return this.plugins.flatMap((p) => p.hooks.routes ?? []);
  }

  /**
   * True when some plugin defines `hook`. The hot paths skip a hook nobody defines, its `await` included: an
   * await waits behind everything already queued, while without one a request reaches its upstream within the
   * event that delivered its body.
   *
   * @example if (pipeline.has('beforeAttempt')) await pipeline.beforeAttempt(ctx, attempt);
   */
  has(hook: HookName): boolean {
    return this.by[hook].length > 0;
  }

  private fail(plugin: LoadedPlugin, ctx: RequestContext, hook: string, err: unknown): GatewayError {
    return hookFailure(plugin, ctx, hook, err);
  }

  /**
   * Runs before the body is read. Returns undefined when every hook finished synchronously (the auth plugin's
   * key check does), so a request that passes reads its body within the event that brought its headers; a
   * promise only once a hook returned one. A refusal is thrown synchronously in that case.
   */
  onHeaders(ctx: RequestContext): Promise<void> | undefined {
    const plugins = this.by.onHeaders;
    for (let i = 0; i < plugins.length; i++) {
      let r: void | Promise<void>;
      try {
        r = plugins[i].hooks.onHeaders!(ctx);
      } catch (err) {
        throw this.fail(plugins[i], ctx, 'onHeaders', err);
      }
      if (r && typeof r.then === 'function') return this.runOnHeadersFrom(ctx, i, r);
    }
    return undefined;
  }

  private async runOnHeadersFrom(ctx: RequestContext, first: number, pending: Promise<void>): Promise<void> {
    const plugins = this.by.onHeaders;
    for (let i = first; i < plugins.length; i++) {
      try {
        await this.bounded(plugins[i], ctx, 'onHeaders', i === first ? pending : plugins[i].hooks.onHeaders!(ctx));
      } catch (err) {
        throw this.fail(plugins[i], ctx, 'onHeaders', err);
      }
    }
  }

  private timedOut(plugin: LoadedPlugin, ctx: RequestContext, hook: string, timeoutMs: number): GatewayError {
    return hookTimedOut(plugin, ctx, hook, timeoutMs);
  }

  /**
   * What a hook returned, bounded by the hook timeout when it is a promise. A plain value passes through, so a
   * synchronous hook costs no timer; the hook's own promise is left to settle whenever it does.
   */
  private bounded<T>(plugin: LoadedPlugin, ctx: RequestContext, hook: string, value: T): T | Promise<Awaited<T>> {
    const watchdog = this.watchdog;
    if (watchdog === undefined || !isThenable(value)) return value;
    return new Promise<Awaited<T>>((resolve, reject) => {
      const call: WatchedCall = { deadline: 0, expire: () => reject(this.timedOut(plugin, ctx, hook, watchdog.timeoutMs)) };
      watchdog.watch(call);
      value.then(
        (v) => {
          watchdog.unwatch(call);
          resolve(v as Awaited<T>);
        },
        (err: unknown) => {
          watchdog.unwatch(call);
          reject(err);
        },
      );
    });
  }

  onRequest(ctx: RequestContext): Promise<DirectAnswer | undefined> {
    return this.by.onRequest.length === 0 ? NOTHING : this.runOnRequest(ctx);
  }

  private runOnRequest(ctx: RequestContext): Promise<DirectAnswer | undefined> {
    return new HookStage<DirectAnswer | undefined, undefined>(this.by.onRequest, ctx, 'onRequest', ON_REQUEST, undefined, undefined, this.watchdog).promise;
  }

  beforeAttempt(ctx: RequestContext, attempt: AttemptInfo): Promise<void> {
    return this.by.beforeAttempt.length === 0 ? NOTHING : this.runBeforeAttempt(ctx, attempt);
  }

  private runBeforeAttempt(ctx: RequestContext, attempt: AttemptInfo): Promise<void> {
    return new HookStage<void, AttemptInfo>(this.by.beforeAttempt, ctx, 'beforeAttempt', BEFORE_ATTEMPT, undefined, attempt, this.watchdog).promise;
  }

  /**
   * Makes one upstream attempt (`run`) inside the plugins' aroundAttempt hooks, the first plugin outermost. With
   * no such hook it is `run()` itself. An upstream failure reaches the caller unchanged; an answer made but then
   * refused by a plugin is discarded.
   *
   * @example const value = await pipeline.aroundAttempt(ctx, info, () => callUpstream(), { heldUntil: (s) => s.done });
   */
  aroundAttempt<T>(ctx: RequestContext, attempt: AttemptInfo, run: () => Promise<T>, answer: AttemptAnswer<T> = {}): Promise<T> {
    return this.by.aroundAttempt.length === 0 ? run() : this.runAroundAttempt(ctx, attempt, run, answer);
  }

  private async runAroundAttempt<T>(ctx: RequestContext, attempt: AttemptInfo, run: () => Promise<T>, answer: AttemptAnswer<T>): Promise<T> {
    let made: { value: T } | undefined;
    const innermost = async (): Promise<AttemptResult> => {
      const value = await run();
      made = { value };
      return { released: answer.heldUntil ? answer.heldUntil(value) : RELEASED };
    };
    const chain = this.by.aroundAttempt.reduceRight<() => Promise<AttemptResult>>((next, p) => () => this.wrapAttempt(p, ctx, attempt, next), innermost);
    try {
      await chain();
    } catch (err) {
      if (made) answer.discard?.(made.value);
      throw err;
    }
    return made!.value;
  }

  /**
   * One plugin's aroundAttempt. The hook timeout runs while the plugin works (before it calls `next()` and after
   * that settled), not while the upstream does. Errors of the upstream pass through as they are.
   */
  private wrapAttempt(p: LoadedPlugin, ctx: RequestContext, attempt: AttemptInfo, next: () => Promise<AttemptResult>): Promise<AttemptResult> {
    const watchdog = this.watchdog;
    return new Promise<AttemptResult>((resolve, reject) => {
      let settled = false;
      let calls = 0;
      let fromNext: unknown = NOT_THROWN;
      const call: WatchedCall = { deadline: 0, expire: () => finish(() => reject(this.timedOut(p, ctx, 'aroundAttempt', watchdog!.timeoutMs))) };
      const arm = () => {
        if (watchdog && !settled) watchdog.watch(call);
      };
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        watchdog?.unwatch(call);
        settle();
      };
      const guardedNext = (): Promise<AttemptResult> => {
        if (++calls > 1) return Promise.reject(new Error('aroundAttempt called next() more than once'));
        watchdog?.unwatch(call);
        return next().then(
          (result) => {
            arm();
            return result;
          },
          (err: unknown) => {
            fromNext = err;
            arm();
            throw err;
          },
        );
      };
      arm();
      let returned: Promise<AttemptResult>;
      try {
        returned = Promise.resolve(p.hooks.aroundAttempt!(ctx, attempt, guardedNext));
      } catch (err) {
        finish(() => reject(this.fail(p, ctx, 'aroundAttempt', err)));
        return;
      }
      returned.then(
        (result) =>
          finish(() => {
            if (calls !== 1) reject(this.fail(p, ctx, 'aroundAttempt', new Error('aroundAttempt returned without calling next()')));
            // A plugin that swallowed the upstream's failure has no answer to give: the routing gets the failure.
            else if (fromNext !== NOT_THROWN) reject(fromNext);
            else resolve(result);
          }),
        (err: unknown) => finish(() => reject(err === fromNext ? err : this.fail(p, ctx, 'aroundAttempt', err))),
      );
    });
  }

  onResponse(ctx: RequestContext, response: ChatCompletion): Promise<ChatCompletion> {
    return this.by.onResponse.length === 0 ? Promise.resolve(response) : this.runOnResponse(ctx, response);
  }

  private runOnResponse(ctx: RequestContext, response: ChatCompletion): Promise<ChatCompletion> {
    return new HookStage<ChatCompletion, undefined>(this.by.onResponse, ctx, 'onResponse', ON_RESPONSE, response, undefined, this.watchdog).promise;
  }

  /** Tells the plugins a JSON answer's usage before the answer is written. Synchronous, like onStreamChunk. */
  onUsage(ctx: RequestContext, usage: Usage, upstreamModel?: string): void {
    for (const p of this.by.onUsage) {
      try {
        p.hooks.onUsage!(ctx, usage, upstreamModel);
      } catch (err) {
        throw this.fail(p, ctx, 'onUsage', err);
      }
    }
  }

  /** Returns the chunk to write, or null when a plugin dropped it. Synchronous, so with no hooks it costs a loop over nothing. */
  onStreamChunk(ctx: RequestContext, chunk: ChatCompletionChunk): ChatCompletionChunk | null {
    let current: ChatCompletionChunk | null = chunk;
    for (const p of this.by.onStreamChunk) {
      if (current === null) return null;
      try {
        const r = p.hooks.onStreamChunk!(ctx, current);
        if (r !== undefined) current = r;
      } catch (err) {
        throw this.fail(p, ctx, 'onStreamChunk', err);
      }
    }
    return current;
  }

  /** Completion and error hooks must not change the answer any more: failures are logged, never thrown. */
  onError(ctx: RequestContext, error: GatewayError): Promise<void> {
    return this.by.onError.length === 0
      ? NOTHING
      : new HookStage<void, GatewayError>(this.by.onError, ctx, 'onError', ON_ERROR, undefined, error, this.watchdog).promise;
  }

  onComplete(ctx: RequestContext, outcome: RequestOutcome): Promise<void> {
    return this.by.onComplete.length === 0 ? NOTHING : this.runOnComplete(ctx, outcome);
  }

  private runOnComplete(ctx: RequestContext, outcome: RequestOutcome): Promise<void> {
    return new HookStage<void, RequestOutcome>(this.by.onComplete, ctx, 'onComplete', ON_COMPLETE, undefined, outcome, this.watchdog).promise;
  }

  filterModels(ctx: RequestContext, aliases: string[]): string[] {
    let current = aliases;
    for (const p of this.by.filterModels) {
      try {
        current = p.hooks.filterModels!(ctx, current);
      } catch (err) {
        throw this.fail(p, ctx, 'filterModels', err);
      }
    }
    return current;
  }

  async close(): Promise<void> {
    for (const p of this.by.close) {
      try {
        await p.hooks.close!();
      } catch {
        // Closing is best effort during reload and shutdown.
      }
    }
  }
}
