/**
 * Provider presets: `deepseek: { preset: deepseek }` is a whole provider entry. The loader expands a preset into
 * `api`, `base_url` and `api_key` from the shipped catalog (src/catalog/) before the entry is validated, so every
 * layer after it sees an ordinary provider; fields written in the entry win over the preset's.
 */
import { catalogProvider, catalogProviders, type CatalogProvider } from '../catalog/catalog';
import type { ConfigPath, MissingVariable } from './interpolate';
import type { PathProblem } from './problems';

/** Everyday names for catalog providers whose catalog id is spelt otherwise. */
const PRESET_NAMES: Readonly<Record<string, string>> = {
  qwen: 'alibaba',
  dashscope: 'alibaba',
  'qwen-cn': 'alibaba-cn',
  'dashscope-cn': 'alibaba-cn',
  together: 'togetherai',
  fireworks: 'fireworks-ai',
  moonshot: 'moonshotai',
  kimi: 'moonshotai',
  'moonshot-cn': 'moonshotai-cn',
  zhipu: 'zhipuai',
  bedrock: 'amazon-bedrock',
  vertex: 'google-vertex',
  gemini: 'google',
};

/** The Switchyard adapter for each catalog API style (an `unknown` style has none: such a provider is no preset). */
const API_BY_STYLE: Readonly<Record<string, string>> = {
  'openai-compatible': 'openai',
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'gemini',
  azure: 'azure',
  bedrock: 'bedrock',
  vertex: 'vertex',
};

const CLOUD_STYLES = new Set(['bedrock', 'vertex']);

/**
 * The catalog provider a preset name stands for, or undefined.
 *
 * @example presetProvider('qwen')?.id // 'alibaba'
 */
export function presetProvider(name: string): CatalogProvider | undefined {
  const p = catalogProvider(PRESET_NAMES[name] ?? name);
  return p && API_BY_STYLE[p.api_style] ? p : undefined;
}

/**
 * The key variable of a catalog provider: the first of its `env` names that looks like a key (clouds list their
 * project and region variables too).
 */
function keyVariable(p: CatalogProvider): string | undefined {
  return p.env.find((v) => /KEY|TOKEN/.test(v)) ?? p.env[0];
}

/**
 * Expands every `preset:` in `providers` in place (the tree is the loader's own interpolated copy): fills `api`,
 * `base_url` and `api_key` from the catalog where the entry does not set them, and rewrites `preset` to the
 * catalog id (so `qwen` and `dashscope` both become `alibaba`, which is what the adapter's quirk table keys on).
 * A key variable that is not set is reported in `missing`, exactly like `api_key: ${VAR}`, so the provider is
 * marked unavailable ("unavailable: VAR not set"); keyless local servers use their variable only when it is set.
 * Returns the problems: an unknown preset, named with the choices.
 *
 * @example applyPresets({ providers: { ds: { preset: 'deepseek' } } }, {}, missing)
 * // providers.ds → { preset: 'deepseek', api: 'openai', base_url: 'https://api.deepseek.com', api_key: '' }, missing: DEEPSEEK_API_KEY
 */
export function applyPresets(tree: unknown, env: NodeJS.ProcessEnv, missing: MissingVariable[]): PathProblem[] {
  const providers = (tree as { providers?: unknown } | null)?.providers;
  if (!providers || typeof providers !== 'object') return [];
  const problems: PathProblem[] = [];
  for (const [name, entry] of Object.entries(providers as Record<string, unknown>)) {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) continue;
    const cfg = entry as Record<string, unknown>;
    if (cfg.preset === undefined) continue;
    const path: ConfigPath = ['providers', name, 'preset'];
    const p = typeof cfg.preset === 'string' ? presetProvider(cfg.preset) : undefined;
    if (!p) {
      problems.push({ path, message: `unknown preset ${JSON.stringify(cfg.preset)} (known: ${knownPresets().join(', ')})` });
      continue;
    }
    cfg.preset = p.id;
    cfg.api ??= API_BY_STYLE[p.api_style];
    if (cfg.base_url === undefined && p.api) cfg.base_url = p.api.replace(/\/+$/, '');
    // Clouds (Bedrock, Vertex) authenticate from their own environment (SigV4, service accounts): no api_key.
    if (cfg.api_key === undefined && !CLOUD_STYLES.has(p.api_style)) {
      const variable = keyVariable(p);
      const value = variable ? env[variable] : undefined;
      if (value) cfg.api_key = value;
      else if (variable && !p.keyless) {
        cfg.api_key = '';
        missing.push({ path: ['providers', name, 'api_key'], variable });
      }
    }
  }
  return problems;
}

/**
 * Every preset name, sorted: catalog ids with an adapter, and the everyday names.
 *
 * @example knownPresets().includes('deepseek') // true
 */
export function knownPresets(): string[] {
  const ids = catalogProviders()
    .filter((p) => API_BY_STYLE[p.api_style])
    .map((p) => p.id);
  return [...new Set([...Object.keys(PRESET_NAMES), ...ids])].sort();
}
