/**
 * The rate-limit plugin: token buckets per key, per alias and per provider, with shaping. A request over a limit
 * waits in a fair queue for up to `max_queue_ms`, then gets 429 with Retry-After; x-ratelimit-* headers go on
 * every response. Tokens are charged at admission from an estimate and corrected with the real usage.
 * With `store: redis://…` all instances share the buckets, and fall back to local ones while Redis is away.
 */
import { GatewayError } from '../../errors';
import { recordRateLimitWait, setRateLimitQueueDepth } from '../../observability/metrics';
import { clientAbortOf } from '../../pipeline/client-abort';
import type { AbortSource } from '../../pipeline/abort-flag';
import type { PluginHooks, PluginModule, RequestContext, RequestOutcome } from '../../pipeline/types';
import type { ChatRequest, EmbeddingsRequest } from '../../providers/openai-types';
import { estimateEmbeddingsTokens, estimateRequestTokens } from '../../pricing/estimate-tokens';
import { FailoverTokenBuckets } from '../../stores/failover-token-buckets';
import { openRedis, waitForRedis } from '../../stores/redis-client';
import { parseStoreLocation } from '../../stores/store-url';
import { LocalTokenBuckets, type BucketAdjustment, type BucketSpec, type TakeResult, type TokenBuckets } from '../../stores/token-buckets';
import { providerLimits } from '../config-sections';
import { bucketLabel, planAdmission, planProvider, type PlannedBucket } from './bucket-plan';
import { ConcurrencyGate, ConcurrencyTimeout } from './concurrency-gate';
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
  releaseSlot?: () => void;
}

const SHAPED_ENDPOINTS = new Set(['chat', 'embeddings', 'messages']);
const REDIS_PREFIX = 'switchyard:rl:';

function estimateTokens(ctx: RequestContext, defaultCompletion: number): number {
  if (ctx.endpoint === 'embeddings') return estimateEmbeddingsTokens(ctx.body as EmbeddingsRequest);
  return estimateRequestTokens(ctx.body as ChatRequest, defaultCompletion);
}

function tooManyRequests(denial: TakeResult, planned: readonly PlannedBucket[], extraHeaders: Record<string, string>): GatewayError {
  const blocking = planned.find((p) => p.spec.id === denial.blockingId);
  const retryAfterS = Math.max(1, Math.ceil(denial.waitMs / 1000));
  const what = blocking ? `${bucketLabel(blocking)} (${blocking.spec.capacity})` : 'a rate limit';
  return new GatewayError({
    status: 429,
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    message: `Rate limit reached for ${what}. Please retry after ${retryAfterS} s.`,
    headers: { ...extraHeaders, 'retry-after': String(retryAfterS) },
  });
}

function headersFor(result: TakeResult, planned: readonly PlannedBucket[]): Record<string, string> {
  return rateLimitHeaders(result.levels.map((level, i) => ({ level, kind: planned[i].kind })));
}

/** Tokens the request really used: zero for a cache hit or a failure without usage. */
function actualTokens(ctx: RequestContext, outcome: RequestOutcome): number {
  if (ctx.cache === 'hit') return 0;
  const usage = outcome.usage ?? ctx.usage;
  return usage?.total_tokens ?? 0;
}

/** `queue.admit`, with the time spent waiting reported to /metrics. */
async function admitCounted(queue: FairQueue, lane: string, specs: readonly BucketSpec[], deadline: number, signal: AbortSource): Promise<TakeResult> {
  const started = performance.now();
  try {
    const taken = await queue.admit(lane, specs, deadline, signal);
    recordRateLimitWait((performance.now() - started) / 1000, true);
    return taken;
  } catch (err) {
    if (err instanceof QueueTimeout) recordRateLimitWait((performance.now() - started) / 1000, false);
    throw err;
  }
}

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
    const location = parseStoreLocation(options.store);

    // Buckets and the concurrency gate outlive reloads: a reload must not hand every key a fresh minute.
    const buckets = env.keep<TokenBuckets>(`buckets:${location.kind === 'redis' ? location.url : 'memory'}`, () =>
      location.kind === 'redis' ? new FailoverTokenBuckets(openRedis(location.url, { purpose: 'rate-limit', log: env.log }), REDIS_PREFIX) : new LocalTokenBuckets(),
    );
    const gate = env.keep('concurrency', () => new ConcurrencyGate());
    if (buckets instanceof FailoverTokenBuckets) {
      // Start on the shared buckets when Redis is there; if it is not, start locally rather than not at all.
      await waitForRedis(buckets.client, 1500).catch(() => env.log.warn('rate-limit: Redis not reachable at startup; limiting per instance until it is'));
    }
    const queue = new FairQueue(buckets, (waiting) => setRateLimitQueueDepth('total', waiting));
    const charges = new WeakMap<RequestContext, Charges>();

    return {
      async onRequest(ctx) {
        if (!SHAPED_ENDPOINTS.has(ctx.endpoint)) return;
        const tokens = estimateTokens(ctx, defaultCompletion);
        const planned = planAdmission(ctx.caller, ctx.requestedAlias, options.per_key, options.per_alias, tokens);
        charges.set(ctx, { tokens, admissionTokenBuckets: [], attemptTokenBuckets: [] });
        if (planned.length === 0) return;
        const lane = ctx.caller?.keyName ?? '';
        let taken: TakeResult;
        try {
          taken = await admitCounted(queue, lane, planned.map((p) => p.spec), Date.now() + maxQueueMs, clientAbortOf(ctx));
        } catch (err) {
          if (!(err instanceof QueueTimeout)) throw err;
          const headers = headersFor(err.lastDenial, planned);
          throw tooManyRequests(err.lastDenial, planned, headers);
        }
        Object.assign(ctx.responseHeaders, headersFor(taken, planned));
        charges.get(ctx)!.admissionTokenBuckets = planned.filter((p) => p.kind === 'tokens');
      },

      async beforeAttempt(ctx, attempt) {
        const charged = charges.get(ctx);
        if (!charged) return;
        // Attempts run one after another: the previous attempt's concurrency slot is free once the next begins.
        charged.releaseSlot?.();
        charged.releaseSlot = undefined;
        const limits = providers.get(attempt.provider);
        if (!limits) return;
        const deadline = Date.now() + maxQueueMs;
        const planned = planProvider(attempt.provider, limits, charged.tokens);
        if (planned.length > 0) {
          try {
            await admitCounted(queue, ctx.caller?.keyName ?? '', planned.map((p) => p.spec), deadline, clientAbortOf(ctx));
          } catch (err) {
            if (!(err instanceof QueueTimeout)) throw err;
            throw tooManyRequests(err.lastDenial, planned, {});
          }
          charged.attemptTokenBuckets.push({ provider: attempt.provider, planned: planned.filter((p) => p.kind === 'tokens') });
        }
        if (limits.concurrency) {
          try {
            charged.releaseSlot = await gate.acquire(attempt.provider, limits.concurrency, deadline, clientAbortOf(ctx));
          } catch (err) {
            if (!(err instanceof ConcurrencyTimeout)) throw err;
            throw new GatewayError({
              status: 429,
              type: 'rate_limit_error',
              code: 'rate_limit_exceeded',
              message: `Provider "${attempt.provider}" is at its concurrency limit (${err.limit}). Please retry after 1 s.`,
              headers: { 'retry-after': '1' },
            });
          }
        }
      },

      async onComplete(ctx, outcome) {
        const charged = charges.get(ctx);
        if (!charged) return;
        charges.delete(ctx);
        charged.releaseSlot?.();
        const actual = actualTokens(ctx, outcome);
        const adjustments: BucketAdjustment[] = charged.admissionTokenBuckets.map((p) => ({ ...p.spec, delta: actual - charged.tokens }));
        // Only the last attempt on the provider that answered used tokens; the failed attempts give their charge back.
        const answering = ctx.servedBy ? charged.attemptTokenBuckets.map((a) => a.provider).lastIndexOf(ctx.servedBy.provider) : -1;
        charged.attemptTokenBuckets.forEach(({ planned }, i) => {
          const used = i === answering ? actual : 0;
          for (const p of planned) adjustments.push({ ...p.spec, delta: used - charged.tokens });
        });
        const nonZero = adjustments.filter((a) => a.delta !== 0);
        if (nonZero.length > 0) await buckets.adjust(nonZero);
      },
    };
  },
};
