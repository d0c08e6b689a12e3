/**
 * POST /v1/embeddings: routed like chat (targets, then fallbacks, including the request's own `fallbacks`),
 * always JSON.
 */
import type { EmbeddingsRequest, EmbeddingsResponse } from '../../providers/openai-types';
import { callEmbeddings, type ParsedAnswer } from '../../routing/call-target';
import { routeAttempts } from '../../routing/route';
import { routingRequest, servedHeaders, type EndpointWork } from '../lifecycle';
import { validateBody } from '../request-schemas';
import { sendJsonText } from '../send';

export const embeddingsWork: EndpointWork = {
  body: 'json',
  validate: (body) => validateBody('embeddings', body),
  async serve(ctx, res, snapshot) {
    const { alias, fallbacks } = routingRequest(snapshot, ctx);
    const routed = await routeAttempts<EmbeddingsRequest, ParsedAnswer<EmbeddingsResponse>>(ctx, snapshot, alias, callEmbeddings, { fallbacks });
    ctx.servedBy = { alias: routed.alias, provider: routed.provider.name, model: routed.model };
    const { body, json } = routed.value;
    const u = body.usage;
    ctx.usage = u ? { prompt_tokens: u.prompt_tokens, completion_tokens: 0, total_tokens: u.total_tokens } : undefined;
    // Before the answer is written: the cost-log plugin's x-switchyard-cost-usd header comes from here.
    if (ctx.usage && snapshot.pipeline.has('onUsage')) snapshot.pipeline.onUsage(ctx, ctx.usage, body.model);
    // Vectors are most of an embeddings answer: the upstream's own text saves serialising them again.
    sendJsonText(res, 200, json ?? JSON.stringify(body), servedHeaders(ctx));
    return { status: 200, completed: true, usage: ctx.usage, latencyMs: performance.now() - ctx.startedMono };
  },
};
