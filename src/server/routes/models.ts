/**
 * GET /v1/models: the aliases, in OpenAI's list shape; GET /v1/models/{id}: one of them, or OpenAI's 404.
 * Plugins may narrow both to what the caller may use (a model the key may not use does not exist for it).
 */
import { errors } from '../../errors';
import type { EndpointWork } from '../lifecycle';
import { servedHeaders } from '../lifecycle';
import { sendJson } from '../send';

/** Where a model's id starts in GET /v1/models/{id} (and /models/{id}, without the prefix). */
export const MODEL_PATHS = ['/v1/models/', '/models/'] as const;

/** The alias a model path names; ids may hold `/` (`deepseek/deepseek-chat`) and arrive percent-encoded. */
function modelIdOf(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const prefix = MODEL_PATHS.find((p) => path.startsWith(p)) ?? '';
  try {
    return decodeURIComponent(path.slice(prefix.length));
  } catch {
    throw errors.badRequest('Malformed model id in the path.', 'model');
  }
}

export const modelsWork: EndpointWork = {
  body: 'none',
  async serve(ctx, res, snapshot) {
    const created = Math.floor(snapshot.loadedAt.getTime() / 1000);
    const ids = snapshot.pipeline.filterModels(ctx, [...snapshot.aliases.keys()]);
    sendJson(res, 200, { object: 'list', data: ids.map((id) => ({ id, object: 'model', created, owned_by: 'switchyard' })) }, servedHeaders(ctx));
    return { status: 200, completed: true, latencyMs: performance.now() - ctx.startedMono };
  },
};

export const modelWork: EndpointWork = {
  body: 'none',
  async serve(ctx, res, snapshot, req) {
    const id = modelIdOf(req.url ?? '');
    const visible = snapshot.aliases.has(id) && snapshot.pipeline.filterModels(ctx, [id]).includes(id);
    if (!visible) throw errors.unknownAlias(id);
    const created = Math.floor(snapshot.loadedAt.getTime() / 1000);
    sendJson(res, 200, { id, object: 'model', created, owned_by: 'switchyard' }, servedHeaders(ctx));
    return { status: 200, completed: true, latencyMs: performance.now() - ctx.startedMono };
  },
};
