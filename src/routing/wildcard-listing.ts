/**
 * What wildcard aliases serve, for GET /v1/models: each pattern's provider's catalog models, or, for a provider
 * the catalog lists no models for (a local Ollama or vLLM, a self-hosted server), the provider's own
 * `GET /models`, kept for a few minutes so a client polling the list does not poll the provider.
 */
import { catalogModels, catalogProviderFor } from '../catalog/catalog';
import { probeModels } from './provider-probe';
import type { ResolvedProvider, ResolvedTarget, RuntimeSnapshot } from './snapshot-types';

/** One model a wildcard serves: its client-facing id (`prefix/model`) and the target it routes to. */
export interface ServedModel {
  id: string;
  target: ResolvedTarget;
}

/** How long a provider's own model list is kept. */
export const MODEL_LIST_TTL_MS = 5 * 60_000;
const LIST_TIMEOUT_MS = 5_000;

// Per resolved provider (so per snapshot): a reload asks again, a removed provider's list goes with its snapshot.
const lists = new WeakMap<ResolvedProvider, { at: number; ids: Promise<string[]> }>();

/**
 * A provider's own model ids, from cache when fresher than the TTL; empty when it cannot say (down, no list).
 *
 * @example await providerModelIds(snapshot.providers.get('local')!) // ['llama3.2', 'qwen3:8b']
 */
export function providerModelIds(provider: ResolvedProvider, now = Date.now()): Promise<string[]> {
  const kept = lists.get(provider);
  if (kept && now - kept.at < MODEL_LIST_TTL_MS) return kept.ids;
  const ids = probeModels(provider, LIST_TIMEOUT_MS).then((r) => r.models ?? []);
  lists.set(provider, { at: now, ids });
  return ids;
}

/**
 * Every model the snapshot's wildcard patterns serve, in pattern order.
 *
 * @example await wildcardModels(snapshot) // [{ id: 'deepseek/deepseek-chat', target: { provider: 'deepseek', model: 'deepseek-chat', weight: 1 } }, …]
 */
export async function wildcardModels(snapshot: RuntimeSnapshot): Promise<ServedModel[]> {
  const patterns = snapshot.wildcards?.patterns ?? [];
  const out: ServedModel[] = [];
  for (const w of patterns) {
    const provider = snapshot.providers.get(w.provider);
    if (!provider) continue;
    const catalogId = catalogProviderFor(provider.name, provider.config);
    let ids = catalogId ? catalogModels(catalogId).map((m) => m.id) : [];
    if (ids.length === 0 && provider.available && provider.settings.api !== 'mock') ids = await providerModelIds(provider);
    for (const model of ids) out.push({ id: `${w.prefix}/${model}`, target: { provider: w.provider, model, weight: 1 } });
  }
  return out;
}
