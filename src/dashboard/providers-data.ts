/**
 * What the Providers page reads, as JSON: every provider and target with its availability, cooldown and latency
 * (the routing state /health/ready shows), the attempt failures of the last hour by kind, the rate-limit
 * headroom the upstreams reported, the active health checks' last results, and the quality estimates from feedback.
 */
import type { RuntimeSnapshot } from '../routing/snapshot-types';
import { targetErrorsOf } from './target-errors';

/** A quality cell's key is `alias|provider/model|tier` (feedback/quality-book.ts); the tier and alias hold no `|`. */
function qualityRows(snapshot: RuntimeSnapshot) {
  if (!snapshot.feedback) return null;
  return Object.entries(snapshot.feedback.book.describe()).map(([key, e]) => {
    const first = key.indexOf('|');
    const last = key.lastIndexOf('|');
    return { alias: key.slice(0, first), target: key.slice(first + 1, last), tier: key.slice(last + 1), mean: e.mean, ratings: e.ratings };
  });
}

/**
 * @example providersData(snapshot, { now: Date.now }) // { providers: […], targets: […], errors: […], rate_limits: […], quality: null }
 */
export function providersData(snapshot: RuntimeSnapshot, state: { now(): number }) {
  const now = state.now();
  const routing = snapshot.routing.describe();
  const cooldowns = new Map(routing.cooldowns.map((c) => [c.target, c]));
  const targets = new Map<string, { provider: string; model: string; aliases: string[] }>();
  for (const alias of snapshot.aliases.values()) {
    for (const t of alias.targets) {
      const id = `${t.provider}/${t.model}`;
      const entry = targets.get(id) ?? { provider: t.provider, model: t.model, aliases: [] };
      entry.aliases.push(alias.name);
      targets.set(id, entry);
    }
  }
  const providers = [...snapshot.providers.values()];
  return {
    providers: providers.map((p) => {
      const whole = cooldowns.get(`${p.name}:*`);
      const check = p.config.health_check;
      return {
        name: p.name,
        api: p.settings.api,
        available: p.available,
        missing_env: p.available ? [] : p.missingEnv,
        cooldown: whole ? { state: whole.state, remaining_s: whole.remaining_s, reason: whole.reason } : null,
        // null without `health_check:`; `last: null` until the first check has finished.
        health_check: check && p.healthCheck ? { kind: check.kind, interval_s: check.interval_s, last: p.healthCheck.last() ?? null } : null,
      };
    }),
    targets: [...targets].map(([id, t]) => {
      const c = cooldowns.get(id);
      const stats = routing.targets[id];
      return {
        id,
        ...t,
        state: c ? c.state : 'in_service',
        remaining_s: c?.remaining_s ?? 0,
        reason: c?.reason ?? null,
        ttfb_ms: stats?.ttfb_ms ?? null,
        samples: stats?.samples ?? 0,
        in_flight: stats?.in_flight ?? 0,
      };
    }),
    /** Every target with attempts in the last hour (wildcard and passthrough targets too), most failures first. */
    errors: targetErrorsOf(state).describe(now),
    rate_limits: providers.flatMap((p) => (p.rateLimits?.describe(now) ?? []).map((h) => ({ provider: p.name, ...h }))),
    /** null when the config has no `feedback:` section. */
    quality: qualityRows(snapshot),
  };
}
