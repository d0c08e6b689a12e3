/**
 * GET /health/live (the process answers) and GET /health/ready (a config is loaded; which one, when, how the
 * last reload went, which providers are available, and which targets are cooling down). Never shows a secret: only variable names.
 */
import type { EndpointWork } from '../lifecycle';
import type { RuntimeHandle } from '../runtime-handle';
import { sendJson } from '../send';

/** @example table: GET /health/live → liveWork */
export const liveWork: EndpointWork = {
  body: 'none',
  plugins: false,
  async serve(ctx, res) {
    sendJson(res, 200, { status: 'ok' }, ctx.responseHeaders);
    return { status: 200, completed: true, latencyMs: performance.now() - ctx.startedMono };
  },
};

/** @example router.get('/health/ready', 'health', readyWork(handle)) */
export function readyWork(handle: RuntimeHandle): EndpointWork {
  return {
    body: 'none',
    plugins: false,
    async serve(ctx, res, snapshot) {
      const providers = Object.fromEntries(
        [...snapshot.providers.values()].map((p) => [
          p.name,
          {
            api: p.settings.api,
            available: p.available,
            ...(p.available ? {} : { missing_env: p.missingEnv }),
            // The last active health check (result, time, latency), when the provider has one.
            ...(p.healthCheck ? { health_check: p.healthCheck.last() ?? { pending: true } } : {}),
          },
        ]),
      );
      // While draining the lifecycle already answers 503 before this runs; the status is kept for completeness.
      const status = handle.draining ? 503 : 200;
      sendJson(
        res,
        status,
        {
          status: handle.draining ? 'draining' : 'ready',
          config: { file: snapshot.file, hash: snapshot.hash, loaded_at: snapshot.loadedAt.toISOString() },
          last_reload: handle.lastReload(),
          providers,
          aliases: [...snapshot.aliases.keys()],
          // Targets cooling down (circuit breakers) and each target's latency and load, as the router sees them.
          routing: snapshot.routing.describe(),
          // Quality estimates from feedback, per "alias|provider/model|tier" (tier * = all tiers).
          ...(snapshot.feedback ? { quality: snapshot.feedback.book.describe() } : {}),
        },
        ctx.responseHeaders,
      );
      return { status, completed: true, latencyMs: performance.now() - ctx.startedMono };
    },
  };
}
