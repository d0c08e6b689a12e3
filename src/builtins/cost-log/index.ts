/**
 * The cost-log plugin: prices every request from its real usage (cached tokens at their own price; a cache
 * hit costs 0), sets `x-switchyard-cost-usd` on JSON answers (chat and embeddings) and `usage.cost_usd` in a
 * stream's final usage chunk, `cost_usd` on the log line (and in
 * `ctx.get('costUsd')`), counts switchyard_cost_usd_total, writes one spend record per request to SQLite,
 * PostgreSQL or JSONL in the background, enforces per-key budgets (429 insufficient_quota), and serves
 * GET /admin/spend.
 */
import {
  buildPriceTable,
  costPico,
  describeSinkUrl,
  formatPicoUsd,
  MemorySpendCounters,
  openRedis,
  openSpendSink,
  parseStoreLocation,
  picoToUsd,
  pluginOptions,
  priceQuery,
  pricingOverrides,
  RedisSpendCounters,
  resolvePrice,
  type PluginHooks,
  type PluginModule,
  type RequestContext,
  type RequestOutcome,
  type SpendRecord,
  type Usage,
} from '../../plugin-api';
import { BudgetLedger, hasBudget } from './budget-ledger';
import { SpendLog } from './spend-log';
import { spendRoute } from './spend-route';

export interface CostLogOptions {
  /** sqlite://PATH (default sqlite://./data/spend.db), postgres://…, or jsonl://PATH. */
  sink?: string;
  /** Where budget counters live: "memory" or redis://…; defaults to the rate-limit plugin's store. */
  budget_store?: string;
  /** Records held while the sink is slow or down; past this they are dropped and counted. */
  max_buffer?: number;
  /** Longest time a record waits before its batch is written. */
  flush_interval_ms?: number;
}

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sink: { type: 'string', pattern: '^(sqlite|jsonl|postgres|postgresql)://.+', description: 'sqlite://PATH, postgres://… or jsonl://PATH.' },
    budget_store: {
      type: 'string',
      pattern: '^(memory|rediss?://.+)$',
      description: 'Budget counters: "memory" or redis://… (default: the rate-limit store).',
    },
    max_buffer: { type: 'integer', minimum: 1 },
    flush_interval_ms: { type: 'integer', minimum: 1 },
  },
};

const PRICED_ENDPOINTS = new Set(['chat', 'completions', 'embeddings', 'messages']);
export const COST_HEADER = 'x-switchyard-cost-usd';

declare module '../../plugin-api' {
  interface RequestVariables {
    /** Cost of the request in USD; null when the model has no price (cost-log plugin). */
    costUsd: number | null;
  }
}

/** Keeps the request's cost where other plugins and the log line find it. */
function noteCost(ctx: RequestContext, cost: number | null): void {
  ctx.set('costUsd', cost);
  ctx.logField('cost_usd', cost);
}

/** USD as a plain decimal, never in exponent notation. @example formatUsd(0.0000045) // '0.0000045' */
export function formatUsd(usd: number): string {
  return usd.toFixed(9).replace(/\.?0+$/, '') || '0';
}

/**
 * @example
 * plugins:
 *   - use: cost-log
 *     sink: sqlite://./data/spend.db
 */
export const costLogPlugin: PluginModule<CostLogOptions> = {
  name: 'cost-log',
  optionsSchema,
  create(options, env): PluginHooks {
    const prices = buildPriceTable(pricingOverrides(env.config));
    const dropped = env.metrics.counter('spend_records_dropped_total', "Spend records dropped because the spend sink's buffer overflowed.");
    dropped.inc(0); // present from the start, so a dashboard can rate() it before the first drop
    const sinkUrl = options.sink ?? 'sqlite://./data/spend.db';
    const spendLog = env.keep(
      `spend-log:${sinkUrl}`,
      () =>
        new SpendLog(
          openSpendSink(sinkUrl, env.configDir),
          (message, detail) => env.log.warn(`cost-log: ${message}`, { sink: describeSinkUrl(sinkUrl), ...detail }),
          {
            maxBuffer: options.max_buffer,
            flushIntervalMs: options.flush_interval_ms,
            onDrop: (count) => dropped.inc(count),
          },
        ),
    );
    const rateLimitStore = pluginOptions(env.config, 'rate-limit')?.store;
    const budgetLocation = parseStoreLocation(options.budget_store ?? (typeof rateLimitStore === 'string' ? rateLimitStore : undefined));
    const ledger = env.keep(
      `budgets:${budgetLocation.kind === 'redis' ? budgetLocation.url : 'memory'}`,
      () =>
        new BudgetLedger(
          budgetLocation.kind === 'redis'
            ? new RedisSpendCounters(openRedis(budgetLocation.url, { purpose: 'budgets', log: env.log }), 'switchyard:spend:')
            : new MemorySpendCounters(),
        ),
    );
    const unpricedModels = new Set<string>();
    const spent = env.metrics.counter(
      'cost_usd_total',
      'Cost of served requests in USD, as computed by the cost-log plugin (requests with unknown prices add nothing).',
      ['alias', 'provider', 'model'],
    );

    /** Cost of what the request used in pico-dollars; null when the model has no price (logged once per model). */
    function costOf(ctx: RequestContext, usage: Usage | undefined, servedModel?: string): number | null {
      if (ctx.get('cache') === 'hit') return 0;
      if (!ctx.servedBy) return 0;
      if (!usage) return null;
      const price = resolvePrice(prices, priceQuery(env.config, ctx.servedBy, servedModel))?.price;
      if (!price) {
        if (!unpricedModels.has(ctx.servedBy.model)) {
          unpricedModels.add(ctx.servedBy.model);
          env.log.warn('cost-log: no price for this model; its cost is recorded as null (add it under `pricing:`)', {
            model: ctx.servedBy.model,
            provider: ctx.servedBy.provider,
          });
        }
        return null;
      }
      return costPico(price, usage);
    }

    function spendRecord(ctx: RequestContext, outcome: RequestOutcome, costUsd: number | null): SpendRecord {
      const hit = ctx.get('cache') === 'hit';
      // A hit used no upstream tokens: its row shows zeros, so token totals match what was billed.
      const usage = hit ? undefined : (outcome.usage ?? ctx.usage);
      return {
        ts: ctx.startedAt,
        requestId: ctx.id,
        keyName: ctx.caller?.keyName ?? null,
        alias: ctx.requestedAlias,
        provider: ctx.servedBy?.provider ?? null,
        model: ctx.servedBy?.model ?? null,
        inputTokens: usage?.prompt_tokens ?? 0,
        outputTokens: usage?.completion_tokens ?? 0,
        cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
        costUsd,
        latencyMs: outcome.latencyMs,
        status: outcome.status,
        attempts: ctx.attempts.length,
        cacheHit: hit,
      };
    }

    return {
      // onRequest and onComplete return a promise only for a key with a budget (the ledger's counters may be in
      // Redis); without one they finish synchronously, as rate-limit's do (see there).
      onRequest(ctx) {
        if (!PRICED_ENDPOINTS.has(ctx.endpoint) || !ctx.caller) return;
        const limits = ctx.get('callerLimits');
        if (hasBudget(limits)) return ledger.check(ctx.caller.keyName, limits, spendLog.sink);
      },

      // JSON answers (chat and embeddings): the exact cost in a header, before the answer is written.
      onUsage(ctx, usage, upstreamModel) {
        if (!PRICED_ENDPOINTS.has(ctx.endpoint)) return;
        const cost = costOf(ctx, usage, upstreamModel);
        noteCost(ctx, cost === null ? null : picoToUsd(cost));
        if (cost !== null) ctx.responseHeaders[COST_HEADER] = formatPicoUsd(cost);
      },

      // A stream's headers are long gone by its end: its cost travels in the final usage chunk, for clients that asked for usage.
      onStreamChunk(ctx, chunk) {
        if (chunk.choices.length > 0 || !chunk.usage || !PRICED_ENDPOINTS.has(ctx.endpoint)) return;
        const cost = costOf(ctx, chunk.usage, chunk.model);
        if (cost === null) return;
        return { ...chunk, usage: { ...chunk.usage, cost_usd: picoToUsd(cost) } };
      },

      onComplete(ctx, outcome) {
        if (!PRICED_ENDPOINTS.has(ctx.endpoint)) return;
        // Requests turned away before any upstream call (auth, limits, budgets) cost nothing and are not spend.
        if (ctx.attempts.length === 0 && ctx.get('cache') !== 'hit') return;
        const costInPico = costOf(ctx, outcome.usage ?? ctx.usage, outcome.response?.model);
        const cost = costInPico === null ? null : picoToUsd(costInPico);
        noteCost(ctx, cost);
        if (cost !== null && cost > 0 && Number.isFinite(cost)) spent.inc(cost, env.metrics.requestLabels(ctx));
        spendLog.writer.push(spendRecord(ctx, outcome, cost));
        const limits = ctx.get('callerLimits');
        if (ctx.caller && cost && hasBudget(limits)) return ledger.add(ctx.caller.keyName, limits, cost, spendLog.sink);
      },

      routes: [spendRoute(env, spendLog)],
    };
  },
};
