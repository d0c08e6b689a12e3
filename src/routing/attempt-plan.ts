/**
 * Expands the requested alias into the sequence of (alias, target) attempts: a `route:` alias first resolves to
 * the alias its first matching rule names; an alias yields its targets in strategy order, then each fallback
 * alias's attempts in turn (depth first, each alias at most once, so cycles end). A context-window overflow
 * diverts the rest of the plan to the alias's `context_window_fallbacks`.
 */
import type { ResolvedAlias, ResolvedTarget, RuntimeSnapshot } from './snapshot-types';
import { errors } from '../errors';
import { pickRule, type CompiledRule, type RouteFacts } from './rules';
import { aliasNamed } from './wildcard-aliases';

export interface PlannedAttempt {
  alias: ResolvedAlias;
  target: ResolvedTarget;
  /** Started as a hedge against a slow earlier attempt. */
  hedge?: boolean;
}

export interface PlanOptions {
  /** Facts about the request for `route:` rules; only asked for when a rule alias is reached. */
  facts(): RouteFacts;
  /** Orders one alias's targets for this request (the alias's strategy). */
  order(alias: ResolvedAlias): ResolvedTarget[];
  /** The client's `fallbacks`: they replace the fallbacks of the alias that serves the request. */
  requestFallbacks?: string[];
  /** Told about every rule that fired, outermost first. */
  onRule?(alias: ResolvedAlias, rule: CompiledRule): void;
}

/**
 * Lazy, so fallback targets are only ordered if they are reached.
 *
 * @example
 * const plan = new AttemptPlan(snapshot, snapshot.aliases.get('chat')!, { facts, order: (a) => a.targets });
 * for (let step = plan.next(); step; step = plan.next()) { ... }
 */
export class AttemptPlan {
  private readonly visited = new Set<string>();
  private steps: Generator<PlannedAttempt>;

  constructor(
    // Only the aliases are read: replay plans against a candidate config's aliases, with no runtime behind them.
    private readonly snapshot: Pick<RuntimeSnapshot, 'aliases' | 'wildcards'>,
    first: ResolvedAlias,
    private readonly options: PlanOptions,
  ) {
    this.steps = this.walk(first, options.requestFallbacks);
  }

  next(): PlannedAttempt | undefined {
    const r = this.steps.next();
    return r.done ? undefined : r.value;
  }

  /**
   * Replaces what is left of the plan with the `context_window_fallbacks` of the first of `aliases` that has
   * some. False when none has: the overflow goes back to the client.
   */
  divertForContextWindow(aliases: ResolvedAlias[]): boolean {
    const names = aliases.find((a) => a.policy.contextWindowFallbacks.length > 0)?.policy.contextWindowFallbacks;
    if (!names) return false;
    this.steps = this.walkNames(names);
    return true;
  }

  private *walkNames(names: string[]): Generator<PlannedAttempt> {
    for (const name of names) {
      const alias = aliasNamed(this.snapshot, name);
      if (alias) yield* this.walk(alias);
    }
  }

  private *walk(alias: ResolvedAlias, fallbacksOverride?: string[]): Generator<PlannedAttempt> {
    if (this.visited.has(alias.name)) return;
    this.visited.add(alias.name);
    const rules = alias.policy.rules;
    if (rules) {
      const rule = pickRule(rules, this.options.facts());
      if (!rule) throw errors.noRouteMatched(alias.name);
      this.options.onRule?.(alias, rule);
      const chosen = this.snapshot.aliases.get(rule.to);
      if (chosen) yield* this.walk(chosen, fallbacksOverride);
    } else {
      for (const target of this.options.order(alias)) yield { alias, target };
      if (fallbacksOverride) {
        yield* this.walkNames(fallbacksOverride);
        return;
      }
    }
    yield* this.walkNames(alias.fallbacks);
  }
}
