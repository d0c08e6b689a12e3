/**
 * One recorded request routed again under the candidate: the candidate's rules pick the alias, its strategy
 * orders the targets, and each try meets the target's recorded behaviour. Outcomes are expected values (a try
 * that fails 20% of the time sends 0.2 of the request on to the next target), so the same log always gives the
 * same report; the strategies that draw at random draw from a generator seeded by the request's id.
 */
import type { RequestRecord } from '../stores/request-log/request-record';
import type { Usage } from '../providers/openai-types';
import { costPico } from '../pricing/cost';
import { resolvePrice } from '../pricing/price-table';
import { AttemptPlan } from '../routing/attempt-plan';
import { lackedCapability, requiredCapabilities } from '../routing/capabilities';
import { tierOf } from '../routing/complexity';
import { backoffDelay } from '../routing/retry';
import { routeFactsOf, type RouteFacts } from '../routing/rules';
import type { ResolvedAlias, ResolvedTarget } from '../routing/snapshot-types';
import { strategies } from '../routing/strategies';
import { ASSUMED_COMPLETION_TOKENS } from '../routing/strategies/lowest-cost';
import type { TargetStats } from '../routing/target-stats';
import { targetKey } from '../routing/routing-state';
import { aliasNamed } from '../routing/wildcard-aliases';
import { GatewayError } from '../errors';
import type { BehaviourModel } from './behaviour';
import type { Candidate } from './candidate';
import { seededRandom } from './seeded-random';

/** What replay needs besides the record: the candidate, the targets' behaviour, the window's token means. */
export interface SimulationContext {
  candidate: Candidate;
  behaviour: BehaviourModel;
  /** Each target's mean time to first byte from the window, for `lowest-latency` and `best-value`. */
  stats: TargetStats;
  /** Mean completion tokens of the served requests of each alias: for a request that failed in the record. */
  completionMeans: ReadonlyMap<string, number>;
  seed: number;
}

/** The candidate's expected outcome for one request. */
export interface SimulatedRequest {
  /** The chance it is answered, and that it fails (they sum to 1). */
  served: number;
  failed: number;
  /** The error the client would get, by code, as chances. */
  errors: Map<string, number>;
  /** Failed tries met on the way (recovered or not), by label, as expected counts. */
  attemptFailures: Map<string, number>;
  /** Expected cost over the answers from priced targets, pico-USD. */
  costPico: number;
  /** The chance it is answered by a target without a price. */
  unpriced: number;
  latencyMs: number;
  /** The chance each target answers it. */
  servedBy: Map<string, number>;
  /** It may reach a target the window never called (its behaviour is the assumed one). */
  usedAssumedTarget: boolean;
  /** A `match:` rule needed the prompt text, which the record does not keep. */
  readText: boolean;
  /** A rule read the complexity score, which the record does not have. */
  guessedComplexity: boolean;
  /** The record has no token counts (it failed): prompt from the estimate, completion from the alias's mean. */
  guessedTokens: boolean;
}

function add(map: Map<string, number>, key: string, p: number): void {
  if (p > 0) map.set(key, (map.get(key) ?? 0) + p);
}

/** The recorded request body, when content logging kept it whole enough to parse. */
function loggedBody(record: RequestRecord): object | undefined {
  if (!record.content?.request) return undefined;
  try {
    const body = JSON.parse(record.content.request) as unknown;
    return body && typeof body === 'object' && !Array.isArray(body) ? body : undefined;
  } catch {
    return undefined; // cut at the content limit
  }
}

/** Route facts from the record's features; the prompt text is not kept, so a rule that reads it is noted. */
function recordedFacts(record: RequestRecord, out: SimulatedRequest): RouteFacts {
  const body = loggedBody(record);
  if (body) return routeFactsOf(body, record.metadata ?? {}, record.key);
  const f = record.features!;
  return {
    hasTools: f.has_tools,
    hasImages: f.has_images,
    promptTokens: () => f.estimated_prompt_tokens,
    maxTokens: f.max_tokens,
    metadata: record.metadata ?? {},
    keyName: record.key,
    get lastUserText() {
      out.readText = true;
      return '';
    },
    complexity: () => {
      if (f.complexity === undefined) out.guessedComplexity = true;
      const score = f.complexity ?? 0;
      return { score, tier: tierOf(score), signals: [] };
    },
    complexityIfComputed: undefined,
  };
}

/** A body with the shape of the recorded one (tools, images, structured output, budget) and none of its text. */
function shapeBody(record: RequestRecord): object {
  const f = record.features!;
  return {
    model: record.alias,
    messages: f.has_images ? [{ role: 'user', content: [{ type: 'image_url', image_url: { url: '' } }] }] : [],
    ...(f.has_tools ? { tools: [{ type: 'function', function: { name: 'recorded' } }] } : {}),
    ...(f.structured_output ? { response_format: { type: 'json_schema' } } : {}),
    ...(f.max_tokens !== undefined ? { max_tokens: f.max_tokens } : {}),
  };
}

/** The usage the request would have had on `target`: the recorded tokens, cache reads only on the same provider. */
function usageOn(target: ResolvedTarget, record: RequestRecord, completion: number): Usage {
  const prompt = record.prompt_tokens ?? record.features?.estimated_prompt_tokens ?? 0;
  const sameProvider = target.provider === record.provider;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: sameProvider ? { cached_tokens: record.cached_tokens ?? 0, cache_write_tokens: record.cache_write_tokens ?? 0 } : {},
  };
}

/** A target's cost for this request in pico-USD, or undefined when it has no price. */
function costOn(candidate: Candidate, target: ResolvedTarget, usage: Usage): number | undefined {
  const found = resolvePrice(candidate.prices, { targetModel: target.model, override: target.price, provider: candidate.catalogIds.get(target.provider) });
  return found ? costPico(found.price, usage) : undefined;
}

/**
 * What a recorded answer cost at the candidate's prices, pico-USD: for records without a cost (no cost-log plugin
 * ran), so the actual side has a figure to compare. Undefined when its target has no price there either.
 *
 * @example recordedCostPico(candidate, record) // 4_500_000_000 ($0.0045)
 */
export function recordedCostPico(candidate: Candidate, record: RequestRecord): number | undefined {
  if (!record.provider || !record.model || record.completion_tokens === undefined) return undefined;
  const price = candidate.config.providers[record.provider]?.price;
  const target: ResolvedTarget = { provider: record.provider, model: record.model, weight: 1, ...(price ? { price } : {}) };
  return costOn(candidate, target, usageOn(target, record, record.completion_tokens));
}

/** The recorded time outside upstream calls (plugins, the gateway itself): the candidate spends it too. */
function gatewayOverheadMs(record: RequestRecord): number {
  const upstream = record.attempts.filter((a) => !a.skipped && !a.hedge).reduce((s, a) => s + a.latency_ms, 0);
  return Math.max(0, record.latency_ms - upstream);
}

/**
 * The candidate's expected outcome for a recorded request that reached routing (it has an alias and features).
 *
 * @example simulateRequest(ctx, record).costPico // 150_000_000 (expected $0.00015)
 */
export function simulateRequest(ctx: SimulationContext, record: RequestRecord): SimulatedRequest {
  const out: SimulatedRequest = {
    served: 0,
    failed: 0,
    errors: new Map(),
    attemptFailures: new Map(),
    costPico: 0,
    unpriced: 0,
    latencyMs: 0,
    servedBy: new Map(),
    usedAssumedTarget: false,
    readText: false,
    guessedComplexity: false,
    guessedTokens: record.completion_tokens === undefined,
  };
  const fail = (code: string, p: number) => {
    out.failed += p;
    add(out.errors, code, p);
  };
  const alias = aliasNamed(ctx.candidate.routes, record.alias!);
  if (!alias) {
    fail('model_not_found', 1);
    return out;
  }
  const completion = record.completion_tokens ?? ctx.completionMeans.get(record.alias!) ?? record.features?.max_tokens ?? 0;
  const body = shapeBody(record);
  const needs = requiredCapabilities(body);
  const random = seededRandom(record.id, ctx.seed);
  const f = record.features!;
  let facts: RouteFacts | undefined;
  const factsOf = () => (facts ??= recordedFacts(record, out));
  const tokens = { promptTokens: f.estimated_prompt_tokens, completionTokens: f.max_tokens ?? ASSUMED_COMPLETION_TOKENS };
  const order = (a: ResolvedAlias): ResolvedTarget[] =>
    a.targets.length <= 1
      ? [...a.targets]
      : strategies[a.strategy]({
          targets: a.targets,
          body,
          stats: ctx.stats,
          config: ctx.candidate.config,
          random,
          alias: a.name,
          tier: () => factsOf().complexity().tier,
          tokens,
        });
  const plan = new AttemptPlan(ctx.candidate.routes, alias, { facts: factsOf, order });

  let reach = 1; // the chance the request is still unanswered when this step starts
  let onlyCapabilitySkips = true;
  for (;;) {
    let step;
    try {
      step = plan.next();
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      fail(err.code ?? 'error', reach); // no rule matched
      return out;
    }
    if (!step || reach <= 0) break;
    const provider = ctx.candidate.providers.get(step.target.provider);
    if (!provider || lackedCapability(provider, step.target.model, needs)) continue;
    onlyCapabilitySkips = false;
    const b = ctx.behaviour.of(step.target);
    if (!b.observed) out.usedAssumedTarget = true;
    const key = targetKey(step.target);
    const retry = step.alias.policy.retry;
    const transient = b.failures.filter((x) => x.cls === 'transient').reduce((s, x) => s + x.p, 0);
    const final = b.failures.filter((x) => x.cls === 'final').reduce((s, x) => s + x.p, 0);
    const cost = costOn(ctx.candidate, step.target, usageOn(step.target, record, completion));
    let here = reach;
    let next = 0;
    for (let tryNumber = 1; tryNumber <= retry.attempts && here > 0; tryNumber++) {
      const served = here * b.success;
      out.served += served;
      add(out.servedBy, key, served);
      if (cost === undefined) out.unpriced += served;
      else out.costPico += served * cost;
      out.latencyMs += served * b.okLatencyMs + here * (1 - b.success) * b.failLatencyMs;
      for (const x of b.failures) add(out.attemptFailures, x.label, here * x.p);
      for (const x of b.failures) if (x.cls === 'final') fail(x.label, here * x.p);
      next += here * (1 - b.success - transient - final);
      here *= transient;
      // A transient failure tries the same target again after the backoff (its expected value, half the ceiling).
      if (tryNumber < retry.attempts) out.latencyMs += here * backoffDelay(retry, tryNumber, () => 0.5);
    }
    reach = next + here;
  }
  if (reach > 0) fail(onlyCapabilitySkips ? 'model_lacks_capability' : 'all_targets_failed', reach);
  out.latencyMs += gatewayOverheadMs(record);
  return out;
}
