/**
 * GET /metrics: the Prometheus exposition. With `server.metrics.require_admin_key`, only callers presenting
 * the admin key (the auth plugin's `admin_key`) may read it; `server.metrics.enabled: false` turns it off.
 */
import type { Request, Response } from 'express';
import { GatewayError } from '../../errors';
import type { RuntimeSnapshot } from '../../config/snapshot';
import { METRICS_CONTENT_TYPE, metricsText, setCooldownStates, type CooldownState } from '../../observability/metrics';
import { adminKeyMatches, adminKeyOf } from '../../pipeline/admin-key';
import type { RuntimeHandle } from '../runtime-handle';
import { sendError } from '../send';

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
 * @example app.get('/metrics', metricsRoute(handle));
 */
export function metricsRoute(handle: RuntimeHandle) {
  return async (req: Request, res: Response): Promise<void> => {
    const { snapshot, release } = handle.acquire();
    try {
      const settings = snapshot.config.server.metrics;
      if (!settings.enabled) {
        throw new GatewayError({ status: 404, type: 'invalid_request_error', code: 'not_found', message: 'Metrics are disabled (server.metrics.enabled: false).' });
      }
      if (settings.require_admin_key) {
        const adminKey = adminKeyOf(snapshot.config);
        // No key configured while one is required: refuse everyone rather than serve openly.
        if (!adminKey || !adminKeyMatches(req.headers, adminKey)) {
          throw new GatewayError({ status: 401, type: 'authentication_error', code: 'invalid_admin_key', message: 'GET /metrics needs the admin key (Authorization: Bearer <admin_key>).' });
        }
      }
      setCooldownStates(cooldownStatesOf(snapshot));
      const text = await metricsText();
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
      res.end(text);
    } catch (err) {
      sendError(res, err);
    } finally {
      release();
    }
  };
}
