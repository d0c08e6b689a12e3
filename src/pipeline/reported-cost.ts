/**
 * A vendor's own figure for what a request cost, when it reports one (OpenRouter's `usage.cost`, USD): kept in
 * the request variable `upstreamReportedCostUsd` for plugins, and on the log line as `upstream_cost_usd`, beside
 * the gateway's own price-table cost (which it does not replace: budgets stay on one price source).
 */
import type { RequestContext } from './types';

declare module '../plugin-api' {
  interface RequestVariables {
    /** The cost the upstream itself reported for this request, USD (OpenRouter's `usage.cost`). */
    upstreamReportedCostUsd: number;
  }
}

/**
 * Copies `ctx.usage.cost` into the request variable and the log line when the upstream reported one.
 *
 * @example noteReportedCost(ctx); ctx.get('upstreamReportedCostUsd') // 0.00042
 */
export function noteReportedCost(ctx: RequestContext): void {
  const cost = (ctx.usage as { cost?: unknown } | undefined)?.cost;
  if (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0) return;
  ctx.set('upstreamReportedCostUsd', cost);
  ctx.logField('upstream_cost_usd', cost);
}
