/**
 * GET /v1/models: the aliases, in OpenAI's list shape. Plugins may narrow the list to what the caller may use.
 */
import type { EndpointWork } from '../lifecycle';
import { servedHeaders } from '../lifecycle';
import { sendJson } from '../send';

export const modelsWork: EndpointWork = {
  body: 'none',
  async serve(ctx, res, snapshot) {
    const created = Math.floor(snapshot.loadedAt.getTime() / 1000);
    const ids = snapshot.pipeline.filterModels(ctx, [...snapshot.aliases.keys()]);
    sendJson(res, 200, { object: 'list', data: ids.map((id) => ({ id, object: 'model', created, owned_by: 'switchyard' })) }, servedHeaders(ctx));
    return { status: 200, completed: true, latencyMs: performance.now() - ctx.startedMono };
  },
};
