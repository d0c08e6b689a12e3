/**
 * GET /metrics: the Prometheus exposition. With `server.metrics.require_admin_key`, only callers presenting
 * the admin key (the auth plugin's `admin_key`) may read it; `server.metrics.enabled: false` turns it off.
 */
import { errors } from '../../errors';
import type { RuntimeSnapshot } from '../../routing/snapshot-types';
import { METRICS_CONTENT_TYPE, metricsText, setCooldownStates, type CooldownState } from '../../observability/metrics';
import { adminKeyMatches, adminKeyOf } from '../../pipeline/admin-key';
import type { EndpointWork } from '../lifecycle';
import { headerList } from '../send';

/**
 * Every configured target, in service unless the routing state's breakers say otherwise. Breaker keys are
 * `provider/model` for one target and `provider:*` for a whole provider (see routing/routing-state.ts).
 */
function cooldownStatesOf(snapshot: RuntimeSnapshot): CooldownState[] {
  const states = new Map<string, CooldownState>();
  for (const alias of snapshot.aliases.values()) {
    for (const t of alias.targets) states.set(`${t.provider}/${t.model}`, { provider: t.provider, model: t.model, state: 'in_service' });
  }
  for (const c of snapshot.routing.describe().cooldowns) {
    const whole = /^(.*):\*$/.exec(c.target);
    const slash = c.target.indexOf('/');
    const [provider, model] = whole ? [whole[1], '*'] : [c.target.slice(0, slash), c.target.slice(slash + 1)];
    // Only names from the config become labels.
    if (!snapshot.providers.has(provider)) continue;
    states.set(c.target, { provider, model, state: c.state });
  }
  return [...states.values()];
}

/**
 * Its own answer (plugins: false): the admin key, when required, is checked here, not by the auth plugin.
 *
 * @example router.get('/metrics', 'metrics', metricsWork);
 */
export const metricsWork: EndpointWork = {
  body: 'none',
  plugins: false,
  async serve(ctx, res, snapshot) {
    const settings = snapshot.config.server.metrics;
    if (!settings.enabled) throw errors.metricsDisabled();
    if (settings.require_admin_key) {
      const adminKey = adminKeyOf(snapshot.config);
      // No key configured while one is required: refuse everyone rather than serve openly.
      if (!adminKey || !adminKeyMatches(ctx.headers, adminKey)) throw errors.metricsNeedAdminKey();
    }
    setCooldownStates(cooldownStatesOf(snapshot));
    const text = await metricsText();
    res.writeHead(
      200,
      headerList(ctx.responseHeaders, ['content-type', METRICS_CONTENT_TYPE, 'content-length', String(Buffer.byteLength(text)), 'cache-control', 'no-store']),
    );
    res.end(text);
    return { status: 200, completed: true, latencyMs: performance.now() - ctx.startedMono };
  },
};
