/**
 * GET /health/live (the process answers) and GET /health/ready (a config is loaded; which one, when, how the
 * last reload went, which providers are available, and which targets are cooling down). Never shows a secret: only variable names.
 */
import type { Request, Response } from 'express';
import type { RuntimeHandle } from '../runtime-handle';
import { sendJson } from '../send';

export function live(_req: Request, res: Response): void {
  sendJson(res, 200, { status: 'ok' });
}

export function ready(handle: RuntimeHandle) {
  return (_req: Request, res: Response): void => {
    const { snapshot, release } = handle.acquire();
    try {
      const providers = Object.fromEntries(
        [...snapshot.providers.values()].map((p) => [p.name, { api: p.settings.api, available: p.available, ...(p.available ? {} : { missing_env: p.missingEnv }) }]),
      );
      sendJson(res, handle.draining ? 503 : 200, {
        status: handle.draining ? 'draining' : 'ready',
        config: { file: snapshot.file, hash: snapshot.hash, loaded_at: snapshot.loadedAt.toISOString() },
        last_reload: handle.lastReload(),
        providers,
        aliases: [...snapshot.aliases.keys()],
        // Targets cooling down (circuit breakers) and each target's latency and load, as the router sees them.
        routing: snapshot.routing.describe(),
      });
    } finally {
      release();
    }
  };
}
