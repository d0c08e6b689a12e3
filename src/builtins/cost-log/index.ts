/**
 * The cost-log plugin: prices every request from its real usage (cached tokens at their own price; a cache
 * hit costs 0), sets `x-switchyard-cost-usd` on JSON answers (chat and embeddings) and `usage.cost_usd` in a
 * stream's final usage chunk, `cost_usd` on the log line (and in
 * `ctx.get('costUsd')`), counts switchyard_cost_usd_total, writes one spend record per request to SQLite,
 * PostgreSQL or JSONL in the background, enforces per-key budgets (each attempt reserves its worst-case cost and
 * the request settles to its real cost; 429 insufficient_quota once spent; see budget-guard.ts), and serves
 * GET /admin/spend.
 */
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  buildPriceTable,
  costPico,
  describeSinkUrl,
  formatPicoUsd,
  memorySpendCounters,
  openRedis,
  openSpendSink,
  parseStoreLocation,
  picoToUsd,
  pluginOptions,
  priceQuery,
  pricingOverrides,
  RedisSpendCounters,
  resolvePrice,
  type AttemptInfo,
  type PluginHooks,
  type PluginModule,
  type RequestContext,
  type RequestOutcome,
  type SpendRecord,
  type Usage,
  waitForRedis,
} from '../../plugin-api';
import { BudgetGuard, configMayHaveBudgets } from './budget-guard';
import { BudgetLedger } from './budget-ledger';
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
  /** Output tokens a budget reservation assumes when the client sets no max_tokens (default: the model's max_output, else 4096). */
  default_max_output_tokens?: number;
  /** Whether budgeted keys may use models without a price (counted as $0) unless the key says otherwise; default false. */
  allow_unpriced_models?: boolean;
  /** How long a budget reservation counts when its request never settles (the process died); default 15 minutes. */
  reservation_ttl_ms?: number;
  /** How long restoring a key's spend from the sink may take before its request is refused with 503; default 2000. */
  restore_timeout_ms?: number;
  /** Directory of the local spend journal (default ./data/spend-journal/<hash of the sink>), or false for none. */
  journal?: string | false;
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
    default_max_output_tokens: { type: 'integer', minimum: 1, description: 'Output tokens a budget reservation assumes when the client sets no max.' },
    allow_unpriced_models: { type: 'boolean', description: 'Budgeted keys may use unpriced models (counted as $0); a key’s allow_unpriced wins.' },
    reservation_ttl_ms: { type: 'integer', minimum: 1000, description: 'How long an unsettled budget reservation counts (a crash).' },
    restore_timeout_ms: { type: 'integer', minimum: 1, description: 'Longest wait for the sink when restoring a key’s spend.' },
    journal: {
      // Not oneOf: config validation coerces types, and would turn false into the directory "false".
      type: ['boolean', 'string'],
      minLength: 1,
      not: { const: true },
      description: 'Directory of the local spend journal that keeps records across a crash (default: one per sink under ./data/spend-journal); false for none.',
    },
  },
};

const PRICED_ENDPOINTS = new Set(['chat', 'completions', 'embeddings', 'messages', 'responses']);
/** Pico-dollar budget counters (the nano-dollar ones of before lived under switchyard:spend:, and are left alone). */
const REDIS_BUDGET_PREFIX = 'switchyard:budget:';
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
  async create(options, env): Promise<PluginHooks> {
    const prices = buildPriceTable(pricingOverrides(env.config));
    const dropped = env.metrics.counter('spend_records_dropped_total', "Spend records dropped because the spend sink's buffer overflowed.");
    dropped.inc(0); // present from the start, so a dashboard can rate() it before the first drop
    const journalErrors = env.metrics.counter('spend_journal_errors_total', 'Spend records the local journal could not write (disk full, read-only).');
    journalErrors.inc(0);
    const sinkUrl = options.sink ?? 'sqlite://./data/spend.db';
    // One journal per sink: a record replayed at start must go to the sink it was meant for.
    const journalDir =
      options.journal === false
        ? false
        : path.resolve(
            env.configDir,
            options.journal ?? `./data/spend-journal/${createHash('sha256').update(describeSinkUrl(sinkUrl)).digest('hex').slice(0, 16)}`,
          );
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
            journalDir,
            onJournalError: () => journalErrors.inc(),
          },
        ),
    );
    const rateLimitStore = pluginOptions(env.config, 'rate-limit')?.store;
    const budgetLocation = parseStoreLocation(options.budget_store ?? (typeof rateLimitStore === 'string' ? rateLimitStore : undefined));
    const unrestored = env.metrics.counter(
      'budget_unrestored_total',
      "Requests refused (503) because their key's spend could not be restored from the spend sink; the budget stays closed until it is.",
    );
    unrestored.inc(0);
    const ledger = env.keep(
      `budgets:${budgetLocation.kind === 'redis' ? budgetLocation.url : 'memory'}`,
      () =>
        new BudgetLedger(
          budgetLocation.kind === 'redis'
            ? new RedisSpendCounters(openRedis(budgetLocation.url, { purpose: 'budgets', log: env.log }), REDIS_BUDGET_PREFIX)
            : memorySpendCounters(), // with --workers, the primary's (one budget over all workers)
          {
            holdTtlMs: options.reservation_ttl_ms,
            restoreTimeoutMs: options.restore_timeout_ms,
            onUnrestored: () => unrestored.inc(),
            // With --workers the first worker to see a key restores it for all; the others find the counter there.
            trustExisting: budgetLocation.kind !== 'redis',
          },
        ),
    );
    if (ledger.counters instanceof RedisSpendCounters) {
      // Start on the shared counters when Redis is there, as rate-limit does; if not, go on locally (see docs/cost.md).
      await waitForRedis(ledger.counters.client, 1500).catch(() =>
        env.log.warn('cost-log: Redis not reachable at startup; budgets are counted per instance until it is'),
      );
    }
    const budgets = new BudgetGuard(
      ledger,
      prices,
      env.config,
      () => spendLog,
      { defaultMaxOutputTokens: options.default_max_output_tokens, allowUnpriced: options.allow_unpriced_models },
      env.log,
    );
    const unpricedModels = new Set<string>();
    const spent = env.metrics.counter(
      'cost_usd_total',
      'Cost of served requests in USD, as computed by the cost-log plugin (requests with unknown prices add nothing).',
      ['alias', 'provider', 'model'],
    );

    // The model the upstream said it served, seen before the answer's end (priced by it: an Azure deployment's model).
    const upstreamModels = new WeakMap<RequestContext, string>();

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

    /**
     * The spend row's id: the request id, unique per request. A client may send its own x-request-id (the
     * gateway echoes it) and send the same one twice; the sink keeps one row per id (that is what makes a retried
     * batch harmless), so such a request gets a suffix of its own rather than vanishing into the first one's row.
     * One id per request, so its journaled and its final record stay one row.
     */
    const recordIds = new WeakMap<RequestContext, string>();
    function recordIdOf(ctx: RequestContext): string {
      let id = recordIds.get(ctx);
      if (!id) {
        id = ctx.headers['x-request-id'] === ctx.id ? `${ctx.id}~${randomUUID()}` : ctx.id;
        recordIds.set(ctx, id);
      }
      return id;
    }

    function spendRecord(ctx: RequestContext, outcome: RequestOutcome, costInPico: number | null): SpendRecord {
      const hit = ctx.get('cache') === 'hit';
      // A hit used no upstream tokens: its row shows zeros, so token totals match what was billed.
      const usage = hit ? undefined : (outcome.usage ?? ctx.usage);
      return {
        ts: ctx.startedAt,
        requestId: recordIdOf(ctx),
        keyName: ctx.caller?.keyName ?? null,
        alias: ctx.requestedAlias,
        provider: ctx.servedBy?.provider ?? null,
        model: ctx.servedBy?.model ?? null,
        inputTokens: usage?.prompt_tokens ?? 0,
        outputTokens: usage?.completion_tokens ?? 0,
        cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
        cacheWriteTokens: Number(usage?.prompt_tokens_details?.cache_write_tokens ?? 0),
        reasoningTokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
        costPico: costInPico,
        // Partly estimated usage (an aborted or cut stream; see the usage path, issue 15 M2).
        estimated: !hit && ctx.get('usageEstimated') === true,
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
        if (!PRICED_ENDPOINTS.has(ctx.endpoint)) return;
        return budgets.admit(ctx);
      },

      ...(configMayHaveBudgets(env.config) && {
        beforeAttempt(ctx: RequestContext, attempt: AttemptInfo) {
          if (!PRICED_ENDPOINTS.has(ctx.endpoint)) return;
          return budgets.reserve(ctx, attempt);
        },
      }),

      // JSON answers (chat and embeddings): the exact cost in a header, before the answer is written.
      onUsage(ctx, usage, upstreamModel) {
        if (!PRICED_ENDPOINTS.has(ctx.endpoint)) return;
        if (upstreamModel) upstreamModels.set(ctx, upstreamModel);
        const cost = costOf(ctx, usage, upstreamModel);
        noteCost(ctx, cost === null ? null : picoToUsd(cost));
        if (cost !== null) ctx.responseHeaders[COST_HEADER] = formatPicoUsd(cost);
      },

      // A chat answer names the model the provider served, which is looked up first (docs/cost.md): reprice with it.
      // A stream's headers are long gone by its end: its cost travels in the final usage chunk, for clients that asked for usage.
      onStreamChunk(ctx, chunk) {
        if (chunk.choices.length > 0 || !chunk.usage || !PRICED_ENDPOINTS.has(ctx.endpoint)) return;
        if (chunk.model) upstreamModels.set(ctx, chunk.model);
        const cost = costOf(ctx, chunk.usage, chunk.model);
        if (cost === null) return;
        return { ...chunk, usage: { ...chunk.usage, cost_usd: picoToUsd(cost) } };
      },

      beforeAnswerEnd(ctx, usage) {
        if (!PRICED_ENDPOINTS.has(ctx.endpoint)) return;
        // The answer is complete: its record is journaled before its last byte, so a crash from here on cannot
        // lose it (onComplete runs after that byte and records it again; the sink keeps one row per request).
        spendLog.journal(
          spendRecord(
            ctx,
            { status: 200, completed: true, usage, latencyMs: performance.now() - ctx.startedMono },
            costOf(ctx, usage, upstreamModels.get(ctx)),
          ),
        );
      },

      onComplete(ctx, outcome) {
        if (!PRICED_ENDPOINTS.has(ctx.endpoint)) return;
        // Requests turned away before any upstream call (auth, limits, budgets) cost nothing and are not spend.
        if ((ctx.attempts.length === 0 && ctx.get('cache') !== 'hit') || budgets.refusedUnsent(ctx)) return budgets.settle(ctx, 0);
        const costInPico = costOf(ctx, outcome.usage ?? ctx.usage, outcome.response?.model ?? upstreamModels.get(ctx));
        const cost = costInPico === null ? null : picoToUsd(costInPico);
        noteCost(ctx, cost);
        if (cost !== null && cost > 0 && Number.isFinite(cost)) spent.inc(cost, env.metrics.requestLabels(ctx));
        spendLog.record(spendRecord(ctx, outcome, costInPico));
        return budgets.settle(ctx, costInPico);
      },

      routes: [spendRoute(env, spendLog)],
    };
  },
};
