/**
 * POST /v1/embeddings: routed like chat (targets, then fallbacks, including the request's own `fallbacks`),
 * always JSON.
 */
import type { EmbeddingsRequest, EmbeddingsResponse } from '../../providers/openai-types';
import { callEmbeddings } from '../../routing/call-target';
import { routeAttempts } from '../../routing/route';
import { routingRequest, servedHeaders, type EndpointWork } from '../lifecycle';
import { validateBody } from '../request-schemas';
import { sendJson } from '../send';

export const embeddingsWork: EndpointWork = {
  validate: (body) => validateBody('embeddings', body),
  async serve(ctx, res, snapshot) {
    const { alias, fallbacks } = routingRequest(snapshot, ctx);
    const routed = await routeAttempts<EmbeddingsRequest, EmbeddingsResponse>(ctx, snapshot, alias, callEmbeddings, { fallbacks });
    ctx.servedBy = { alias: routed.alias, provider: routed.provider.name, model: routed.model };
    const u = routed.value.usage;
    ctx.usage = u ? { prompt_tokens: u.prompt_tokens, completion_tokens: 0, total_tokens: u.total_tokens } : undefined;
    sendJson(res, 200, routed.value, servedHeaders(ctx));
    return { status: 200, completed: true, usage: ctx.usage, latencyMs: performance.now() - ctx.startedMono };
  },
};
