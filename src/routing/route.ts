/**
 * The last stage of the pipeline: walk the attempt plan (rules, targets, fallbacks) until one target answers.
 * Each step is one "try a target" function wrapped in retry and cooldown, raced against a hedge when the alias
 * asks for one; all of it under the alias's routing deadline. A 4xx the client caused is returned as is.
 */
import type { ResolvedAlias, ResolvedProvider, ResolvedTarget, RuntimeSnapshot } from './snapshot-types';
import { errors, GatewayError } from '../errors';
import { clientAbortOf } from '../pipeline/client-abort';
import type { AttemptRecord, RequestContext } from '../pipeline/types';
import type { ChatRequest, EmbeddingsRequest } from '../providers/openai-types';
import { transportRefusalOf, type TransportRefusal } from '../upstream/refusals';
import { AttemptPlan, type PlannedAttempt } from './attempt-plan';
import { AttemptFailure, isTimeoutKind } from './attempt-failure';
import { capabilityRefusal } from './capabilities';
import { withCooldown } from './cooldown';
import { RoutingDeadline } from './deadline';
import { RaceLost, tryWithHedge, type Won } from './hedge';
import { withRetry } from './retry';
import { providerKey, targetKey } from './routing-state';
import { conversationKey, preferPinned } from './affinity';
import { describeComplexity } from './complexity';
import { routeFactsOf, type RouteFacts } from './rules';
import { orderTargets } from './strategies';
import { recordedAttempt } from './recorded-attempt';
import { TargetSkipped, type AnswerLifecycle, type AttemptRunner } from './try-target';

export type { AttemptRunner };

export interface Routed<T> {
  value: T;
  alias: string;
  provider: ResolvedProvider;
  model: string;
}

export interface RouteOptions<T> extends AnswerLifecycle<T> {
  /** The client's `fallbacks` from the request body (already checked to name aliases). */
  fallbacks?: string[];
}

/** The header naming the routing rule that chose the serving alias. */
export const ROUTE_HEADER = 'x-switchyard-route';

/**
 * @example const { value } = await routeAttempts(ctx, snapshot, alias, callChat);
 */
export async function routeAttempts<B extends ChatRequest | EmbeddingsRequest, T>(
  ctx: RequestContext,
  snapshot: RuntimeSnapshot,
  requested: ResolvedAlias,
  run: AttemptRunner<B, T>,
  options: RouteOptions<T> = {},
): Promise<Routed<T>> {
  const deadline = new RoutingDeadline(clientAbortOf(ctx), requested.policy.timeoutMs);
  let facts: RouteFacts | undefined;
  const affinity = conversationAffinity(ctx, snapshot, requested);
  if (affinity.loading) await affinity.loading;
  const plan = new AttemptPlan(snapshot, requested, {
    facts: () => (facts ??= routeFactsOf(ctx.body, ctx.metadata, ctx.caller?.keyName)),
    order: (alias) => affinity.order(alias, orderTargets(snapshot, alias, ctx.body)),
    requestFallbacks: options.fallbacks,
    onRule: (_alias, rule) => {
      if (ROUTE_HEADER in ctx.responseHeaders) return;
      // A rule that looked at complexity says what it saw, so a misroute can be read off one answer.
      const complexity = facts?.complexityIfComputed;
      ctx.responseHeaders[ROUTE_HEADER] = complexity ? `${rule.name}; complexity=${describeComplexity(complexity)}` : rule.name;
      if (complexity) {
        ctx.logField('complexity', complexity.score);
        ctx.logField('complexity_tier', complexity.tier);
      }
    },
  });
  const tryTarget = withRetry(withCooldown(ctx, snapshot.routing, recordedAttempt(ctx, snapshot, run, options)));
  const race = (primary: PlannedAttempt, hedgeAfterMs: number) =>
    tryWithHedge({
      primary,
      nextStep: () => plan.next(),
      tryTarget,
      signal: deadline.signal,
      hedgeAfterMs,
      discard: options.discard,
      onHedge: (slow, hedge) => {
        ctx.log.info('hedge started', {
          request_id: ctx.id,
          alias: slow.alias.name,
          after_ms: hedgeAfterMs,
          slow: targetKey(slow.target),
          hedge: targetKey(hedge.target),
        });
      },
    });

  // When every failure was the transport's own refusal of one kind (full pools, answers over the memory
  // limits), the client hears that rather than a generic "all targets failed".
  const refusals = new Set<TransportRefusal>();
  let otherFailures = 0;
  try {
    for (let step = plan.next(); step; step = plan.next()) {
      const hedgeAfterMs = step.alias.policy.hedgeAfterMs;
      let won: Won<T>;
      try {
        // Without hedging, a plain try: no race to set up, and no promise step between the answer and here.
        won = hedgeAfterMs ? await race(step, hedgeAfterMs) : { value: await tryTarget(step, deadline.signal), step };
      } catch (err) {
        // A plain try's failure, or each racer's.
        const failures = err instanceof RaceLost ? err.failures : [{ step, error: err }];
        for (const { step: failed, error } of failures) {
          decideAfterFailure(ctx, deadline, plan, requested, failed.alias, error);
          if (!(error instanceof AttemptFailure)) continue;
          const refusal = transportRefusalOf(error.info.code);
          if (refusal) refusals.add(refusal);
          else otherFailures++;
        }
        continue;
      }
      deadline.commit();
      affinity.served(won.step.alias, won.step.target);
      const provider = snapshot.providers.get(won.step.target.provider)!;
      return { value: won.value, alias: won.step.alias.name, provider, model: won.step.target.model };
    }
  } finally {
    deadline.commit();
  }
  const lacking = capabilityRefusal(requested.name, ctx.attempts, ctx.body as object);
  if (lacking) throw lacking;
  const failed = allAttemptsFailed(requested.name, ctx.attempts, cooldownWait(snapshot, ctx.attempts));
  const [refusal] = refusals;
  if (refusals.size !== 1 || otherFailures > 0) throw failed;
  if (refusal === 'pool_busy') throw errors.upstreamPoolsBusy(requested.name, failed.message);
  throw errors.upstreamAnswersRefused(refusal === 'answer_too_large' ? 'upstream_answer_too_large' : 'upstream_buffer_full', requested.name, failed.message);
}

/** Whether any alias of the snapshot keeps conversations on their target (worked out once per snapshot). */
const hasAffinity = new WeakMap<RuntimeSnapshot, boolean>();

/**
 * The request's side of cache affinity: for aliases with `affinity:`, the pinned target goes first (unless it is
 * cooling down), and the target that serves becomes the pin. The conversation is keyed by the alias the client
 * named, and its pin looked up once before the plan starts (`loading`: with --workers, one round trip to the
 * primary, whose book every worker shares).
 */
function conversationAffinity(ctx: RequestContext, snapshot: RuntimeSnapshot, requested: ResolvedAlias) {
  const book = snapshot.routing.affinity;
  let any = hasAffinity.get(snapshot);
  if (any === undefined) hasAffinity.set(snapshot, (any = [...snapshot.aliases.values()].some((a) => a.policy.affinity)));
  const key = any ? conversationKey(ctx.caller?.keyName, requested.name, (ctx.body as { messages?: unknown }).messages) : undefined;
  let pinned: string | undefined;
  let loading: Promise<void> | undefined;
  if (key !== undefined) {
    const found = book.lookup(key);
    if (found instanceof Promise) loading = found.then((t) => void (pinned = t));
    else pinned = found;
  }
  return {
    loading,
    order(alias: ResolvedAlias, order: ResolvedTarget[]): ResolvedTarget[] {
      if (!alias.policy.affinity || key === undefined) return order;
      const cooldowns = snapshot.routing.cooldowns;
      const kept = preferPinned(order, pinned, (t) => !cooldowns.isSkipped(t) && !cooldowns.isSkipped(providerKey(t.slice(0, t.indexOf('/')))));
      ctx.logField('affinity', pinned === undefined ? 'new' : kept[0] && targetKey(kept[0]) === pinned ? 'kept' : 'moved');
      return kept;
    },
    served(alias: ResolvedAlias, target: ResolvedTarget): void {
      if (key !== undefined && alias.policy.affinity) book.remember(key, targetKey(target), alias.policy.affinity.ttlMs);
    },
  };
}

/** Returns when the plan should go on after this failure; throws the error the client should get otherwise. */
function decideAfterFailure(
  ctx: RequestContext,
  deadline: RoutingDeadline,
  plan: AttemptPlan,
  requested: ResolvedAlias,
  alias: ResolvedAlias,
  error: unknown,
): void {
  if (error instanceof TargetSkipped) return;
  if (!(error instanceof AttemptFailure)) throw error;
  if (clientAbortOf(ctx).aborted) throw errors.clientClosedRequest();
  if (deadline.expired) throw errors.routingTimeout(requested.name, deadline.timeoutMs ?? 0, ctx.attempts.length);
  if (error.kind === 'client_abort') return; // a hedge loser
  if (error.info.credentialProblem) ctx.log.error('upstream rejected the gateway credentials', { request_id: ctx.id, alias: alias.name, error: error.message });
  if (error.info.code === 'context_length_exceeded' && plan.divertForContextWindow([alias, requested])) {
    ctx.log.info('prompt exceeds the context window; trying context_window_fallbacks', { request_id: ctx.id, alias: alias.name });
    return;
  }
  if (!error.info.retryable) throw errors.upstreamError(error.info);
}

/** When every target was skipped for cooling down: how long until the first may be probed, in ms. */
function cooldownWait(snapshot: RuntimeSnapshot, attempts: AttemptRecord[]): number | undefined {
  if (attempts.length === 0 || attempts.some((a) => !a.skipped)) return undefined;
  const waits = attempts.map((a) =>
    Math.max(snapshot.routing.cooldowns.remainingMs(targetKey(a)), snapshot.routing.cooldowns.remainingMs(providerKey(a.provider))),
  );
  return waits.every((w) => w > 0) ? Math.min(...waits) : undefined;
}

/** What became of one attempt, for the summary: its HTTP status when that is what failed, else its failure kind. */
function outcomeOf(a: AttemptRecord): string {
  if (a.kind === undefined || a.kind === 'status') return a.status === undefined ? 'no response' : String(a.status);
  return a.kind;
}

/**
 * The error for an alias whose every attempt failed: the status that best describes it, and a summary. The
 * reasons in it are the attempts' AttemptFailure messages, redacted when they were made.
 *
 * @example allAttemptsFailed('chat', ctx.attempts) // 502: All 2 attempt(s) for model "chat" failed: a/m → 503 (…); b/m → network (b: connection refused)
 */
export function allAttemptsFailed(alias: string, attempts: AttemptRecord[], cooldownMs?: number): GatewayError {
  const summary = attempts.map((a) => `${a.provider}/${a.model} → ${outcomeOf(a)} (${a.reason ?? 'failed'})`).join('; ');
  const called = attempts.filter((a) => !a.skipped);
  const n = attempts.length;
  if (called.length === 0) return errors.noAvailableTarget(alias, n, summary, cooldownMs === undefined ? undefined : Math.max(1, Math.ceil(cooldownMs / 1000)));
  if (called.every((a) => isTimeoutKind(a.kind))) return errors.allTargetsTimedOut(alias, n, summary);
  if (called.every((a) => a.kind === 'status' && a.status === 429)) {
    const waits = called.map((a) => a.retryAfterMs).filter((w): w is number => w !== undefined);
    return errors.allTargetsRateLimited(alias, n, summary, Math.max(1, Math.ceil((waits.length ? Math.min(...waits) : 1000) / 1000)));
  }
  // Overloaded or unknown upstream models, when that is all there was: the client hears which (503 / 404).
  if (called.every((a) => a.code === 'upstream_overloaded')) return errors.allTargetsOverloaded(alias, n, summary);
  if (called.every((a) => a.code === 'model_not_found')) return errors.upstreamModelNotFound(alias, n, summary);
  return errors.allTargetsFailed(alias, n, summary);
}
