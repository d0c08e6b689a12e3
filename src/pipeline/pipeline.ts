/**
 * Runs the loaded plugins' hooks in their fixed order (see types.ts). Each hook is isolated: a GatewayError it
 * throws becomes the request's answer; anything else is logged and becomes a 500 naming the plugin. Per hook,
 * only the plugins that define it are visited, so an empty pipeline costs nothing on the hot path.
 */
import { errors, GatewayError } from '../errors';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingsRequest } from '../providers/openai-types';
import type { LoadedPlugin } from './load-plugins';
import type { DirectAnswer, PluginHooks, PluginRoute, RequestContext, RequestOutcome } from './types';

type HookName = keyof Omit<PluginHooks, 'routes'>;

/**
 * What a hook with no plugins returns: an already settled promise, not an async call. Every request passes
 * each hook, and an async function's frame and promise cost more than the (usually empty) loop inside.
 */
const NOTHING: Promise<undefined> = Promise.resolve(undefined);

/** The attempt a beforeAttempt hook is told about. */
type AttemptInfo = { alias: string; provider: string; model: string; body: ChatRequest | EmbeddingsRequest };

/**
 * @example
 * const pipeline = new Pipeline(loadedPlugins);
 * const direct = await pipeline.onRequest(ctx);
 */
export class Pipeline {
  private readonly by: { [K in HookName]: LoadedPlugin[] };

  constructor(readonly plugins: LoadedPlugin[]) {
    const having = (h: HookName) => plugins.filter((p) => typeof p.hooks[h] === 'function');
    this.by = {
      onHeaders: having('onHeaders'),
      onRequest: having('onRequest'),
      beforeAttempt: having('beforeAttempt'),
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
    if (err instanceof GatewayError) return err;
    ctx.log.error('plugin hook threw', { plugin: plugin.name, hook, request_id: ctx.id, error: (err as Error)?.stack ?? String(err) });
    return errors.pluginFailed(plugin.name);
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
        await (i === first ? pending : plugins[i].hooks.onHeaders!(ctx));
      } catch (err) {
        throw this.fail(plugins[i], ctx, 'onHeaders', err);
      }
    }
  }

  onRequest(ctx: RequestContext): Promise<DirectAnswer | undefined> {
    return this.by.onRequest.length === 0 ? NOTHING : this.runOnRequest(ctx);
  }

  private async runOnRequest(ctx: RequestContext): Promise<DirectAnswer | undefined> {
    for (const p of this.by.onRequest) {
      try {
        const r = await p.hooks.onRequest!(ctx);
        if (r && 'respond' in r) return r;
      } catch (err) {
        throw this.fail(p, ctx, 'onRequest', err);
      }
    }
    return undefined;
  }

  beforeAttempt(ctx: RequestContext, attempt: AttemptInfo): Promise<void> {
    return this.by.beforeAttempt.length === 0 ? NOTHING : this.runBeforeAttempt(ctx, attempt);
  }

  private async runBeforeAttempt(ctx: RequestContext, attempt: AttemptInfo): Promise<void> {
    for (const p of this.by.beforeAttempt) {
      try {
        await p.hooks.beforeAttempt!(ctx, attempt);
      } catch (err) {
        throw this.fail(p, ctx, 'beforeAttempt', err);
      }
    }
  }

  onResponse(ctx: RequestContext, response: ChatCompletion): Promise<ChatCompletion> {
    return this.by.onResponse.length === 0 ? Promise.resolve(response) : this.runOnResponse(ctx, response);
  }

  private async runOnResponse(ctx: RequestContext, response: ChatCompletion): Promise<ChatCompletion> {
    let current = response;
    for (const p of this.by.onResponse) {
      try {
        current = (await p.hooks.onResponse!(ctx, current)) ?? current;
      } catch (err) {
        throw this.fail(p, ctx, 'onResponse', err);
      }
    }
    return current;
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
  async onError(ctx: RequestContext, error: GatewayError): Promise<void> {
    for (const p of this.by.onError) {
      try {
        await p.hooks.onError!(ctx, error);
      } catch (err) {
        this.fail(p, ctx, 'onError', err);
      }
    }
  }

  onComplete(ctx: RequestContext, outcome: RequestOutcome): Promise<void> {
    return this.by.onComplete.length === 0 ? NOTHING : this.runOnComplete(ctx, outcome);
  }

  private async runOnComplete(ctx: RequestContext, outcome: RequestOutcome): Promise<void> {
    for (const p of this.by.onComplete) {
      try {
        await p.hooks.onComplete!(ctx, outcome);
      } catch (err) {
        this.fail(p, ctx, 'onComplete', err);
      }
    }
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
