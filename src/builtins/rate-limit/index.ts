/**
 * The rate-limit plugin: token buckets per key, per alias and per provider, with shaping. A request over a limit
 * waits in a fair queue for up to `max_queue_ms`, then gets 429 with Retry-After; x-ratelimit-* headers go on
 * every response. Tokens are charged at admission from an estimate and corrected with the real usage. A provider's
 * `limits.concurrency` slot is held around each attempt (aroundAttempt), until its answer stops using the upstream.
 * With `store: redis://…` all instances share the buckets, and fall back to local ones while Redis is away.
 */
import {
  ConcurrencyTimeout,
  errors,
  estimateEmbeddingsTokens,
  estimateRequestTokens,
  FailoverTokenBuckets,
  memoryConcurrencySlots,
  memoryTokenBuckets,
  openRedis,
  parseStoreLocation,
  providerLimits,
  waitForRedis,
  type AbortSource,
  type BucketAdjustment,
  type BucketSpec,
  type ChatRequest,
  type EmbeddingsRequest,
  type GatewayError,
  type PluginHistogram,
  type PluginHooks,
  type PluginModule,
  type RequestContext,
  type RequestOutcome,
  type TakeResult,
  type TokenBuckets,
} from '../../plugin-api';
import { bucketLabel, planAdmission, planProvider, type PlannedBucket } from './bucket-plan';
import { FairQueue, QueueTimeout } from './fair-queue';
import { DEFAULT_COMPLETION_TOKENS, DEFAULT_MAX_QUEUE_MS, rateLimitOptionsSchema, type RateLimitOptions } from './options';
import { rateLimitHeaders } from './response-headers';

/** What one request has taken, to correct or give back when it completes. */
interface Charges {
  tokens: number;
  /** Token buckets charged at admission (key, alias). */
  admissionTokenBuckets: PlannedBucket[];
  /** Provider token buckets charged per attempt, in attempt order. */
  attemptTokenBuckets: { provider: string; planned: PlannedBucket[] }[];
}

declare module '../../plugin-api' {
  interface RequestVariables {
    /** What the request took from the rate-limit buckets (rate-limit plugin). */
    rateLimitCharges: Charges;
  }
}

const SHAPED_ENDPOINTS = new Set(['chat', 'completions', 'embeddings', 'messages', 'responses']);
/**
 * /passthrough/{provider}/* counts against its key's requests per minute (own rpm, else per_key) like any request.
 * Its body is never read (files, batches…), so no token estimate exists: tpm does not apply to it, nor do alias
 * limits (it names no alias) or provider limits (it makes no routed attempt).
 */
const PASSTHROUGH = 'passthrough';
const REDIS_PREFIX = 'switchyard:rl:';

function estimateTokens(ctx: RequestContext, defaultCompletion: number): number {
  if (ctx.endpoint === 'embeddings') return estimateEmbeddingsTokens(ctx.body as EmbeddingsRequest);
  return estimateRequestTokens(ctx.body as ChatRequest, defaultCompletion);
}

function tooManyRequests(denial: TakeResult, planned: readonly PlannedBucket[], extraHeaders: Record<string, string>): GatewayError {
  const blocking = planned.find((p) => p.spec.id === denial.blockingId);
  const retryAfterS = Math.max(1, Math.ceil(denial.waitMs / 1000));
  const what = blocking ? `${bucketLabel(blocking)} (${blocking.spec.capacity})` : 'a rate limit';
  return errors.rateLimitExceeded(`Rate limit reached for ${what}. Please retry after ${retryAfterS} s.`, retryAfterS, extraHeaders);
}

function headersFor(result: TakeResult, planned: readonly PlannedBucket[]): Record<string, string> {
  return rateLimitHeaders(result.levels.map((level, i) => ({ level, kind: planned[i].kind })));
}

/** Tokens the request really used: zero for a cache hit or a failure without usage. */
function actualTokens(ctx: RequestContext, outcome: RequestOutcome): number {
  if (ctx.get('cache') === 'hit') return 0;
  const usage = outcome.usage ?? ctx.usage;
  return usage?.total_tokens ?? 0;
}

/**
 * `queue.admitSoon`, with the time spent waiting reported to /metrics: the answer itself when the queue admitted
 * at once, else a promise of it.
 */
function admitCounted(
  queue: FairQueue,
  wait: PluginHistogram,
  lane: string,
  specs: readonly BucketSpec[],
  deadline: number,
  signal: AbortSource,
): TakeResult | Promise<TakeResult> {
  const started = performance.now();
  const taken = queue.admitSoon(lane, specs, deadline, signal);
  if (!(taken instanceof Promise)) {
    wait.observe((performance.now() - started) / 1000, ADMITTED);
    return taken;
  }
  return taken.then(
    (result) => {
      wait.observe((performance.now() - started) / 1000, ADMITTED);
      return result;
    },
    (err: unknown) => {
      if (err instanceof QueueTimeout) wait.observe((performance.now() - started) / 1000, REJECTED);
      throw err;
    },
  );
}

const ADMITTED = { result: 'admitted' };
const REJECTED = { result: 'rejected' };
const TOTAL = { scope: 'total' };

/**
 * @example
 * plugins:
 *   - use: rate-limit
 *     store: redis://127.0.0.1:6379
 *     max_queue_ms: 2000
 *     per_key: { rpm: 600 }
 *     per_alias: { chat: { rpm: 1000, tpm: 400000 } }
 */
export const rateLimitPlugin: PluginModule<RateLimitOptions> = {
  name: 'rate-limit',
  optionsSchema: rateLimitOptionsSchema,
  async create(options, env): Promise<PluginHooks> {
    const maxQueueMs = options.max_queue_ms ?? DEFAULT_MAX_QUEUE_MS;
    const defaultCompletion = options.default_completion_tokens ?? DEFAULT_COMPLETION_TOKENS;
    const providers = providerLimits(env.config);
    const hasConcurrencyLimits = [...providers.values()].some((limits) => limits.concurrency !== undefined);
    const hookTimeoutMs = (env.config.server as { plugin_hook_timeout_ms?: number } | undefined)?.plugin_hook_timeout_ms;
    if (hookTimeoutMs !== undefined && maxQueueMs >= hookTimeoutMs) {
      env.log.warn('rate-limit: max_queue_ms is not below server.plugin_hook_timeout_ms; long waits end as 500 plugin_timeout instead of 429', {
        max_queue_ms: maxQueueMs,
        plugin_hook_timeout_ms: hookTimeoutMs,
      });
    }
    const location = parseStoreLocation(options.store);

    // Buckets and the concurrency gate outlive reloads: a reload must not hand every key a fresh minute.
    const buckets = env.keep<TokenBuckets>(`buckets:${location.kind === 'redis' ? location.url : 'memory'}`, () =>
      location.kind === 'redis'
        ? new FailoverTokenBuckets(openRedis(location.url, { purpose: 'rate-limit', log: env.log }), REDIS_PREFIX)
        : memoryTokenBuckets('rate-limit'),
    );
    // In memory, or with --workers the primary's (one limit over all workers).
    const gate = env.keep('concurrency', () => memoryConcurrencySlots());
    if (buckets instanceof FailoverTokenBuckets) {
      // Start on the shared buckets when Redis is there; if it is not, start locally rather than not at all.
      await waitForRedis(buckets.client, 1500).catch(() => env.log.warn('rate-limit: Redis not reachable at startup; limiting per instance until it is'));
    }
    const depth = env.metrics.gauge('ratelimit_queue_depth', 'Requests waiting in the rate-limit queue, by scope (key, alias, provider).', ['scope']);
    const wait = env.metrics.histogram(
      'ratelimit_wait_seconds',
      'Time a request waited for a rate-limit slot, by result (admitted, rejected).',
      [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      ['result'],
    );
    const queue = new FairQueue(buckets, (waiting) => depth.set(waiting, TOTAL));

    /**
     * Takes `planned` for the request, in its key's lane of the fair queue: `admitted` runs at once when the
     * buckets allow it (no promise), or once they do; past max_queue_ms it is a 429, with the limit headers when
     * `withHeaders` (the key's own limits, at admission; not a provider's, before an attempt).
     */
    const admitPlanned = (ctx: RequestContext, planned: PlannedBucket[], withHeaders: boolean, admitted: (taken: TakeResult) => void) => {
      const taken = admitCounted(
        queue,
        wait,
        ctx.caller?.keyName ?? '',
        planned.map((p) => p.spec),
        Date.now() + maxQueueMs,
        ctx.clientAbort,
      );
      if (!(taken instanceof Promise)) return admitted(taken);
      return taken.then(admitted, (err: unknown) => {
        if (!(err instanceof QueueTimeout)) throw err;
        throw tooManyRequests(err.lastDenial, planned, withHeaders ? headersFor(err.lastDenial, planned) : {});
      });
    };

    return {
      // onRequest and beforeAttempt return a promise only when they have to wait (a queue, Redis): a request
      // admitted at once by in-process buckets passes them synchronously, and the pipeline's stage goes on without
      // a promise or a microtask turn (measured with the pipeline's HookStage, whose comment has the figures).
      onRequest(ctx) {
        const shaped = SHAPED_ENDPOINTS.has(ctx.endpoint);
        if (!shaped && ctx.endpoint !== PASSTHROUGH) return;
        const tokens = shaped ? estimateTokens(ctx, defaultCompletion) : 0;
        const caller = ctx.caller && { keyName: ctx.caller.keyName, limits: ctx.get('callerLimits') };
        const planned = shaped
          ? planAdmission(caller, ctx.requestedAlias, options.per_key, options.per_alias, tokens)
          : planAdmission(caller, '', options.per_key, undefined, 0).filter((p) => p.kind === 'requests');
        const charged: Charges = { tokens, admissionTokenBuckets: [], attemptTokenBuckets: [] };
        ctx.set('rateLimitCharges', charged);
        if (planned.length === 0) return;
        const admitted = (taken: TakeResult) => {
          Object.assign(ctx.responseHeaders, headersFor(taken, planned));
          charged.admissionTokenBuckets = planned.filter((p) => p.kind === 'tokens');
        };
        return admitPlanned(ctx, planned, true, admitted);
      },

      beforeAttempt(ctx, attempt) {
        const charged = ctx.get('rateLimitCharges');
        if (!charged) return;
        const planned = planProvider(attempt.provider, providers.get(attempt.provider), charged.tokens);
        if (planned.length === 0) return;
        const admitted = () => {
          charged.attemptTokenBuckets.push({ provider: attempt.provider, planned: planned.filter((p) => p.kind === 'tokens') });
        };
        return admitPlanned(ctx, planned, false, admitted);
      },

      // The provider's concurrency slot is held for exactly one attempt: taken before it, given back when it
      // failed or when its answer stopped using the upstream (a stream, when it ended). Only defined when some
      // provider has a concurrency limit, so that without one the attempt is not wrapped at all.
      aroundAttempt: !hasConcurrencyLimits
        ? undefined
        : async (ctx, attempt, next) => {
            const limit = providers.get(attempt.provider)?.concurrency;
            if (!limit || !ctx.get('rateLimitCharges')) return next();
            let release: () => void;
            try {
              release = await gate.acquire(attempt.provider, limit, Date.now() + maxQueueMs, ctx.clientAbort);
            } catch (err) {
              if (!(err instanceof ConcurrencyTimeout)) throw err;
              throw errors.rateLimitExceeded(`Provider "${attempt.provider}" is at its concurrency limit (${err.limit}). Please retry after 1 s.`, 1);
            }
            try {
              const result = await next();
              void result.released.then(release, release);
              return result;
            } catch (err) {
              release();
              throw err;
            }
          },

      // Not `async`, like onRequest: a promise only when there is something to adjust.
      onComplete(ctx, outcome) {
        const charged = ctx.get('rateLimitCharges');
        if (!charged) return;
        const actual = actualTokens(ctx, outcome);
        const adjustments: BucketAdjustment[] = charged.admissionTokenBuckets.map((p) => ({ ...p.spec, delta: actual - charged.tokens }));
        // Only the last attempt on the provider that answered used tokens; the failed attempts give their charge back.
        const answering = ctx.servedBy ? charged.attemptTokenBuckets.map((a) => a.provider).lastIndexOf(ctx.servedBy.provider) : -1;
        charged.attemptTokenBuckets.forEach(({ planned }, i) => {
          const used = i === answering ? actual : 0;
          for (const p of planned) adjustments.push({ ...p.spec, delta: used - charged.tokens });
        });
        const nonZero = adjustments.filter((a) => a.delta !== 0);
        if (nonZero.length > 0) return buckets.adjust(nonZero);
      },
    };
  },
};
