/**
 * GET /v1/models: the aliases, in OpenAI's list shape; GET /v1/models/{id}: one of them, or OpenAI's 404.
 * Plugins may narrow both to what the caller may use (a model the key may not use does not exist for it).
 * Each alias also carries, when the price table knows its first target, OpenRouter's extra fields:
 * `context_length` and `pricing` (USD per token, as decimal strings). OpenAI's clients ignore them.
 */
import { catalogModel, catalogProviderFor } from '../../catalog/catalog';
import { errors } from '../../errors';
import { formatPicoUsd, pricePerTokenPico } from '../../pricing/money';
import { resolvePrice } from '../../pricing/price-table';
import type { ResolvedTarget, RuntimeSnapshot } from '../../routing/snapshot-types';
import { aliasNamed } from '../../routing/wildcard-aliases';
import { wildcardModels } from '../../routing/wildcard-listing';
import { priceTableOf } from '../../routing/strategies/lowest-cost';
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

/** OpenRouter's `pricing` object: USD per token, as exact decimal strings. */
interface ModelPricing {
  prompt: string;
  completion: string;
  input_cache_read?: string;
  input_cache_write?: string;
}

const perToken = (usdPerMillion: number) => formatPicoUsd(pricePerTokenPico(usdPerMillion));

/**
 * One alias in OpenAI's model shape, plus `context_length` and `pricing` of its first target when known.
 *
 * @example modelEntry(snapshot, 'chat', 1700000000)
 * // { id: 'chat', object: 'model', created: 1700000000, owned_by: 'switchyard', context_length: 128000,
 * //   pricing: { prompt: '0.0000025', completion: '0.00001', input_cache_read: '0.00000125' } }
 */
export function modelEntry(snapshot: RuntimeSnapshot, id: string, created: number, served?: ResolvedTarget): Record<string, unknown> {
  const entry: Record<string, unknown> = { id, object: 'model', created, owned_by: 'switchyard' };
  const target = served ?? aliasNamed(snapshot, id)?.targets[0];
  const provider = target ? snapshot.config.providers[target.provider] : undefined;
  if (!target || !provider) return entry;
  const catalogId = catalogProviderFor(target.provider, provider);
  // What the catalog says the model can do (wildcard listings and capability skipping read the same flags).
  const known = catalogId ? catalogModel(catalogId, target.model) : undefined;
  if (known) {
    if (known.context !== undefined) entry.context_length = known.context;
    entry.capabilities = { ...known.capabilities, input_modalities: known.modalities.input };
  }
  const found = resolvePrice(priceTableOf(snapshot.config), {
    targetModel: target.model,
    override: target.price,
    provider: catalogId,
  });
  if (!found) return entry;
  const { price } = found;
  if (price.context_window !== undefined) entry.context_length ??= price.context_window;
  const pricing: ModelPricing = { prompt: perToken(price.input), completion: perToken(price.output) };
  if (price.cached_input !== undefined) pricing.input_cache_read = perToken(price.cached_input);
  if (price.cache_write !== undefined) pricing.input_cache_write = perToken(price.cache_write);
  entry.pricing = pricing;
  return entry;
}

export const modelsWork: EndpointWork = {
  body: 'none',
  async serve(ctx, res, snapshot) {
    const created = Math.floor(snapshot.loadedAt.getTime() / 1000);
    const ids = snapshot.pipeline.filterModels(ctx, [...snapshot.aliases.keys()]);
    const data = ids.map((id) => modelEntry(snapshot, id, created));
    // What wildcard aliases serve, from the catalog or the provider's own /models, narrowed like aliases.
    const served = await wildcardModels(snapshot);
    const visible = new Set(
      snapshot.pipeline.filterModels(
        ctx,
        served.map((m) => m.id),
      ),
    );
    for (const m of served)
      if (visible.has(m.id) && !snapshot.aliases.has(m.id)) data.push({ ...modelEntry(snapshot, m.id, created, m.target), owned_by: m.target.provider });
    sendJson(res, 200, { object: 'list', data }, servedHeaders(ctx));
    return { status: 200, completed: true, latencyMs: performance.now() - ctx.startedMono };
  },
};

export const modelWork: EndpointWork = {
  body: 'none',
  async serve(ctx, res, snapshot, req) {
    const id = modelIdOf(req.url ?? '');
    const visible = aliasNamed(snapshot, id) !== undefined && snapshot.pipeline.filterModels(ctx, [id]).includes(id);
    if (!visible) throw errors.unknownAlias(id);
    const created = Math.floor(snapshot.loadedAt.getTime() / 1000);
    sendJson(res, 200, modelEntry(snapshot, id, created), servedHeaders(ctx));
    return { status: 200, completed: true, latencyMs: performance.now() - ctx.startedMono };
  },
};
