/**
 * Which vendor quirks an OpenAI-compatible provider gets: its `preset:` (the catalog id the loader wrote there),
 * else the catalog provider its base URL's host belongs to, so `api: openai, base_url: https://api.deepseek.com`
 * is handled like `preset: deepseek`. One table; each vendor's hooks are in the file named for it.
 */
import { catalogProviderFor } from '../../catalog/catalog';
import type { ProviderSettings } from '../types';
import { dashscopeQuirks } from './dashscope';
import { deepseekQuirks } from './deepseek';
import { groqQuirks } from './groq';
import { mistralQuirks } from './mistral';
import { openrouterQuirks } from './openrouter';
import type { OpenAIQuirks } from './quirks';

export type { OpenAIQuirks } from './quirks';

/** Catalog provider id → its hooks. */
const QUIRKS: Readonly<Record<string, OpenAIQuirks>> = {
  deepseek: deepseekQuirks,
  groq: groqQuirks,
  mistral: mistralQuirks,
  alibaba: dashscopeQuirks,
  'alibaba-cn': dashscopeQuirks,
  openrouter: openrouterQuirks,
};

// Settings objects live as long as their snapshot; the lookup (a host scan) runs once per provider.
const cache = new WeakMap<ProviderSettings, OpenAIQuirks | null>();

/**
 * The hooks for this provider, or undefined for a plain OpenAI-compatible one.
 *
 * @example quirksFor(call.provider)?.request?.(body, call) ?? body
 */
export function quirksFor(provider: ProviderSettings): OpenAIQuirks | undefined {
  let found = cache.get(provider);
  if (found === undefined) {
    const id = catalogProviderFor(provider.name, { preset: provider.options.preset, api: provider.api, base_url: provider.baseUrl });
    found = (id !== undefined ? QUIRKS[id] : undefined) ?? null;
    cache.set(provider, found);
  }
  return found ?? undefined;
}
