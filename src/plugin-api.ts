/**
 * The public plugin API: everything a plugin may use, imported as `require('switchyard')` or
 * `import … from 'switchyard'`. The built-in plugins (src/builtins/) are written against this module only, so a
 * user's plugin can do whatever a built-in does. It imports nothing from the HTTP layer, routing or the daemon.
 *
 * Three parts: the plugin contract (definePlugin and the types of hooks, context and env); the errors a plugin
 * throws (GatewayError and its named factories); and the building blocks the built-ins are made of (stores,
 * prices, token estimates, secret redaction), for plugins that need the same.
 */
import type { PluginModule } from './pipeline/types';

// The plugin contract.
export type {
  AttemptInfo,
  AttemptRecord,
  AttemptResult,
  Caller,
  DirectAnswer,
  Endpoint,
  LogFieldValue,
  MetricLabels,
  PluginCounter,
  PluginEnv,
  PluginGauge,
  PluginHistogram,
  PluginHooks,
  PluginMetrics,
  PluginModule,
  PluginRoute,
  RequestContext,
  RequestOutcome,
  RequestVariables,
} from './pipeline/types';
export type { Logger } from './observability/logger';
export type { AbortSource } from './upstream/abort-flag';
export type { ChatCompletion, ChatCompletionChunk, ChatMessage, ChatRequest, EmbeddingsRequest, Usage } from './providers/openai-types';

/**
 * Types a plugin module (an identity function: it returns its argument). The options type is inferred from
 * `create`'s first parameter, or given explicitly.
 *
 * @example
 * const { definePlugin, errors } = require('switchyard');
 * module.exports = definePlugin({
 *   name: 'no-empty-prompts',
 *   create() {
 *     return { onRequest(ctx) { if (ctx.endpoint === 'chat' && ctx.body.messages.length === 0) throw errors.badRequest('messages is empty', 'messages'); } };
 *   },
 * });
 */
export function definePlugin<Options = Record<string, unknown>>(plugin: PluginModule<Options>): PluginModule<Options> {
  return plugin;
}

// Errors: throw a GatewayError (best made by a named factory) to answer the client with its status and code.
export { errors, GatewayError, toOpenAIErrorBody, type GatewayErrorInit, type OpenAIErrorType } from './errors';

// Building blocks of the built-in plugins.
export { pluginOptions, priceQuery, pricingOverrides, providerLimits, type ProviderLimits } from './pipeline/config-sections';
export { modelAllowed } from './pipeline/model-patterns';
export { presentedKey } from './pipeline/admin-key';
export { registerSecrets } from './observability/redact';
export { estimateChatPromptTokens, estimateEmbeddingsTokens, estimateRequestTokens } from './pricing/estimate-tokens';
export { formatPicoUsd, PICO_PER_USD, picoToUsd, pricePerTokenPico, usdToPico } from './pricing/money';
export { costOfUsage, costPico } from './pricing/cost';
export {
  buildPriceTable,
  lookupPrice,
  resolvePrice,
  type ModelPrice,
  type PriceQuery,
  type PriceTable,
  type PriceTier,
  type ResolvedPrice,
} from './pricing/price-table';
export { parseStoreLocation, type StoreLocation } from './stores/store-url';
export { openRedis, waitForRedis } from './stores/redis-client';
export { MemoryKvStore, RedisKvStore, type KvStore } from './stores/kv-store';
export { FailoverTokenBuckets } from './stores/failover-token-buckets';
export {
  LocalTokenBuckets,
  perMinuteBucket,
  type BucketAdjustment,
  type BucketLevel,
  type BucketSpec,
  type TakeResult,
  type TokenBuckets,
} from './stores/token-buckets';
export {
  MemorySpendCounters,
  NANO_PER_USD,
  RedisSpendCounters,
  type CounterLevel,
  type ReserveOptions,
  type ReserveResult,
  type SettleOptions,
  type SpendCounters,
} from './stores/spend-counters';
export { describeSinkUrl, openSpendSink } from './stores/open-spend-sink';
export type { SpendGroupBy, SpendRecord, SpendSink, SpendTotal } from './stores/spend-sink';
export { SPEND_GROUPS } from './stores/spend-sink';
export { BatchedWriter } from './stores/batched-writer';
export { memoryConcurrencySlots, memoryKvStore, memorySpendCounters, memoryTokenBuckets } from './cluster/shared-stores';
export { ConcurrencyTimeout, type ConcurrencySlots } from './stores/concurrency-gate';
export { SpendJournal } from './stores/spend-journal';
