/**
 * The cache plugin: exact-match response cache for chat requests. A hit answers from onRequest without any
 * upstream call (the server replays it as SSE for stream requests); a complete answer, streamed or not, is
 * stored from onComplete, never a truncated stream or an error. `x-switchyard-cache: hit|miss|bypass` is set
 * on every chat response, `cache` on its log line, and switchyard_cache_requests_total counts the results. Memory (LRU by entries and bytes) by default, or Redis shared by all instances.
 */
import {
  memoryKvStore,
  openRedis,
  parseStoreLocation,
  RedisKvStore,
  type ChatCompletion,
  type DirectAnswer,
  type KvStore,
  type PluginHooks,
  type PluginModule,
  type RequestContext,
  type RequestOutcome,
} from '../../plugin-api';
import { cacheDirectives } from './cache-control';
import { cacheKey } from './cache-key';

/** What the cache did for a request. */
export type CacheResult = 'hit' | 'miss' | 'bypass';

declare module '../../plugin-api' {
  interface RequestVariables {
    /** Whether the answer came from the cache (cache plugin); cost-log and rate-limit charge a hit nothing. */
    cache: CacheResult;
    /** The cache key under which a miss is stored once it completes (cache plugin). */
    cachePendingKey: string;
  }
}

export interface CacheOptions {
  /** "memory" (default) or a redis:// URL. */
  store?: string;
  /** How long an answer stays cached, seconds. */
  ttl_s?: number;
  /** Memory store bounds. */
  max_entries?: number;
  max_bytes?: number;
  /** Share entries between keys (default: each key has its own cache). */
  shared?: boolean;
}

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    store: { type: 'string', pattern: '^(memory|rediss?://.+)$', description: '"memory" or a redis:// URL shared by every instance.' },
    ttl_s: { type: 'number', exclusiveMinimum: 0, description: 'Seconds an answer stays cached.' },
    max_entries: { type: 'integer', minimum: 1, description: 'Memory store: most answers kept.' },
    max_bytes: { type: 'integer', minimum: 1024, description: 'Memory store: most bytes kept.' },
    shared: { type: 'boolean', description: 'One cache for all keys instead of one per key.' },
  },
};

const CACHED_ENDPOINTS = new Set(['chat', 'completions', 'messages']);
const HEADER = 'x-switchyard-cache';

/** Only a whole answer is worth replaying: every choice finished. */
function isCompleteAnswer(outcome: RequestOutcome): outcome is RequestOutcome & { response: ChatCompletion } {
  return (
    outcome.status === 200 &&
    outcome.completed &&
    !outcome.truncated &&
    !outcome.error &&
    !!outcome.response &&
    outcome.response.choices.length > 0 &&
    outcome.response.choices.every((c) => c.finish_reason !== null)
  );
}

/**
 * @example
 * plugins:
 *   - use: cache
 *     store: memory
 *     ttl_s: 600
 *     max_entries: 10000
 */
export const cachePlugin: PluginModule<CacheOptions> = {
  name: 'cache',
  optionsSchema,
  create(options, env): PluginHooks {
    const ttlMs = (options.ttl_s ?? 600) * 1000;
    const maxEntries = options.max_entries ?? 10_000;
    const maxBytes = options.max_bytes ?? 64 * 1024 * 1024;
    const location = parseStoreLocation(options.store);
    let lastStoreError = 0;
    const onStoreError = (err: Error) => {
      // At most one line a minute: a cache outage is worth knowing about, not worth flooding the log.
      if (Date.now() - lastStoreError < 60_000) return;
      lastStoreError = Date.now();
      env.log.warn('cache: store error; treating as a miss', { error: err.message });
    };
    const store = env.keep<KvStore>(location.kind === 'redis' ? `store:${location.url}` : `store:memory:${maxEntries}:${maxBytes}`, () =>
      location.kind === 'redis'
        ? new RedisKvStore(openRedis(location.url, { purpose: 'cache', log: env.log }), 'switchyard:cache:', onStoreError)
        : memoryKvStore('cache', { maxEntries, maxBytes }),
    );
    const results = env.metrics.counter('cache_requests_total', 'Response cache lookups by result: hit, miss, bypass.', ['alias', 'result']);
    const decided = (ctx: RequestContext, result: CacheResult, header: CacheResult) => {
      ctx.set('cache', result);
      ctx.logField('cache', result);
      ctx.responseHeaders[HEADER] = header;
      results.inc(1, { alias: env.metrics.requestLabels(ctx).alias, result });
    };

    return {
      async onRequest(ctx): Promise<void | DirectAnswer> {
        if (!CACHED_ENDPOINTS.has(ctx.endpoint)) return;
        const { skipLookup, skipStore } = cacheDirectives(ctx.headers);
        const key = cacheKey({ endpoint: ctx.endpoint, scope: options.shared ? '' : (ctx.caller?.keyName ?? ''), body: ctx.body });
        if (skipLookup) {
          if (!skipStore) ctx.set('cachePendingKey', key);
          decided(ctx, 'bypass', 'bypass');
          return;
        }
        const cached = await store.get(key);
        if (cached !== undefined) {
          // A hit costs nothing; the cost-log plugin records it as such.
          decided(ctx, 'hit', 'hit');
          return { respond: JSON.parse(cached) as ChatCompletion };
        }
        if (!skipStore) ctx.set('cachePendingKey', key);
        decided(ctx, 'miss', skipStore ? 'bypass' : 'miss');
      },

      // Not `async`: the store's own promise is the hook's, one promise per request fewer (see the pipeline's HookStage).
      onComplete(ctx, outcome) {
        const key = ctx.get('cachePendingKey');
        if (key === undefined) return;
        if (!isCompleteAnswer(outcome)) return;
        return store.set(key, outcome.responseJson ?? JSON.stringify(outcome.response), ttlMs);
      },
    };
  },
};
