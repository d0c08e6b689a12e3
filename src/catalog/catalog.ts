/**
 * The model catalog Switchyard ships: per provider, its base URL, key variables and API style, and per model its
 * prices, limits and capabilities. Generated from the models.dev snapshot by `npm run catalog`
 * (scripts/catalog/generate.js) with Switchyard's corrections (corrections.json) applied; the generated JSON files
 * are committed, so nothing here reads outside the repo. models.dev is MIT-licensed: see NOTICE beside this file.
 */
import modelsJson from './models.generated.json';
import providersJson from './providers.generated.json';

/**
 * The HTTP API a catalog provider speaks: `openai-compatible` is any `/chat/completions` endpoint (DeepSeek, Groq,
 * Mistral, OpenRouter, local servers…), the others are the native APIs of that name. Derived from the AI SDK
 * package models.dev names (`npm`); `unknown` when that package is not one Switchyard recognises.
 */
export type CatalogApiStyle = 'openai-compatible' | 'openai' | 'anthropic' | 'gemini' | 'vertex' | 'vertex-anthropic' | 'bedrock' | 'azure' | 'unknown';

/** A long-context price: applies to every token of a request whose whole prompt exceeds `above_tokens`. */
export interface CatalogPriceTier {
  above_tokens: number;
  input: number;
  output: number;
  cached_input?: number;
  cache_write?: number;
  cache_write_1h?: number;
}

/** A model's prices, USD per 1M tokens (the same number as micro-dollars per token). */
export interface CatalogPrice {
  input: number;
  output: number;
  /** Prompt tokens read from the provider's cache (models.dev `cache_read`). */
  cached_input?: number;
  /** Prompt tokens written to the cache (Anthropic: the 5-minute TTL, 1.25× input). */
  cache_write?: number;
  /** Cache writes with a 1-hour TTL (Anthropic: 2× input; a Switchyard correction). */
  cache_write_1h?: number;
  /** Reasoning tokens, when the provider bills them apart from output. */
  reasoning?: number;
  input_audio?: number;
  output_audio?: number;
  /** Long-context prices, ascending by `above_tokens`. */
  tiers?: CatalogPriceTier[];
}

/**
 * What a model can do. The first seven are always known; `structured_output`, `temperature` and `open_weights`
 * are absent when the source does not say (unknown is not false: do not skip a target on an absent flag).
 */
export interface CatalogCapabilities {
  tool_call: boolean;
  reasoning: boolean;
  /** Accepts files (images, PDFs…) in the prompt. */
  attachment: boolean;
  image_input: boolean;
  pdf_input: boolean;
  audio_input: boolean;
  video_input: boolean;
  structured_output?: boolean;
  temperature?: boolean;
  open_weights?: boolean;
}

/**
 * One model of one provider, as stored in models.generated.json plus its `id` and `provider`.
 *
 * @example
 * {
 *   id: 'claude-sonnet-4-20250514', provider: 'anthropic', name: 'Claude Sonnet 4', family: 'claude-sonnet',
 *   release_date: '2025-05-22', knowledge: '2025-03-31', context: 200000, max_output: 64000,
 *   modalities: { input: ['text', 'image', 'pdf'], output: ['text'] },
 *   capabilities: { tool_call: true, reasoning: true, attachment: true, image_input: true, pdf_input: true,
 *                   audio_input: false, video_input: false, temperature: true, open_weights: false },
 *   price: { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75, cache_write_1h: 6,
 *            tiers: [{ above_tokens: 200000, input: 6, output: 22.5, cached_input: 0.6, cache_write: 7.5, cache_write_1h: 12 }] },
 *   corrections: ['tiers', 'cache_write_1h'],
 * }
 */
export interface CatalogModel {
  /** The provider's model id, as sent in `model` (Bedrock: `anthropic.claude-…-v1:0`; Vertex: `claude-…@20250514`). */
  id: string;
  /** The catalog provider id (`anthropic`, `amazon-bedrock`, `deepseek`…). */
  provider: string;
  name: string;
  family?: string;
  release_date?: string;
  /** Knowledge cut-off. */
  knowledge?: string;
  status?: 'alpha' | 'beta' | 'deprecated';
  /** Context window, tokens. */
  context?: number;
  /** Largest prompt, when the provider limits it below the context window. */
  max_input?: number;
  /** Largest completion, tokens. */
  max_output?: number;
  modalities: { input: string[]; output: string[] };
  capabilities: CatalogCapabilities;
  /** The response field reasoning text arrives in (`reasoning_content` for DeepSeek and others). */
  reasoning_field?: string;
  /** Absent when the source has no price: such a model is unpriced, never free. */
  price?: CatalogPrice;
  /** An endpoint of its own, when this model is served elsewhere than its provider's `api` (Bedrock's OpenAI models). */
  api?: string;
  api_style?: CatalogApiStyle;
  /** Switchyard corrections applied to this entry (see corrections.json). */
  corrections?: string[];
}

/**
 * One provider.
 *
 * @example
 * { id: 'deepseek', name: 'DeepSeek', api: 'https://api.deepseek.com', api_style: 'openai-compatible',
 *   npm: '@ai-sdk/openai-compatible', env: ['DEEPSEEK_API_KEY'], doc: 'https://api-docs.deepseek.com/quick_start/pricing',
 *   models: 4, source: 'models.dev' }
 */
export interface CatalogProvider {
  id: string;
  name: string;
  /** Base URL including the version path; absent for APIs whose URL is built from a region or resource (Bedrock, Vertex, Azure). */
  api?: string;
  api_style: CatalogApiStyle;
  /** The AI SDK package models.dev names; tells the API style. */
  npm?: string;
  /** Environment variables holding the key (and, for clouds, the project, region or resource). */
  env: string[];
  /** A local server that accepts requests without a key. */
  keyless?: boolean;
  doc?: string;
  /** How many models the catalog lists for it. */
  models: number;
  /** Where the entry comes from: `models.dev`, `models.dev+switchyard` (a corrected field) or `switchyard` (not in the source). */
  source: 'models.dev' | 'models.dev+switchyard' | 'switchyard';
}

/** The snapshot the catalog was generated from. */
export interface CatalogSource {
  name: string;
  url: string;
  license: string;
  commit: string | null;
  date: string | null;
}

type StoredModel = Omit<CatalogModel, 'id' | 'provider'>;
type StoredProvider = Omit<CatalogProvider, 'id'>;

const storedModels = modelsJson as unknown as Record<string, Record<string, StoredModel>>;
const stored = providersJson as unknown as { source: CatalogSource; lookup_order: string[]; providers: Record<string, StoredProvider> };

// Built once, on first use: objects with their ids, shared (frozen) by every caller.
let providers: ReadonlyMap<string, CatalogProvider> | undefined;
const models = new Map<string, ReadonlyMap<string, CatalogModel>>();

function providerMap(): ReadonlyMap<string, CatalogProvider> {
  providers ??= new Map(Object.entries(stored.providers).map(([id, p]) => [id, Object.freeze({ id, ...p })]));
  return providers;
}

function modelMap(providerId: string): ReadonlyMap<string, CatalogModel> | undefined {
  let map = models.get(providerId);
  if (!map) {
    const entries = storedModels[providerId];
    if (!entries) return undefined;
    map = new Map(Object.entries(entries).map(([id, m]) => [id, Object.freeze({ id, provider: providerId, ...m })]));
    models.set(providerId, map);
  }
  return map;
}

/**
 * A catalog provider by id, or undefined.
 *
 * @example catalogProvider('deepseek')?.api // 'https://api.deepseek.com'
 */
export function catalogProvider(id: string): CatalogProvider | undefined {
  return providerMap().get(id);
}

/**
 * Every catalog provider, sorted by id.
 *
 * @example catalogProviders().filter((p) => p.api_style === 'openai-compatible').map((p) => p.id)
 */
export function catalogProviders(): CatalogProvider[] {
  return [...providerMap().values()];
}

/**
 * One model of one provider, by its exact id (case-sensitive, as the provider spells it), or undefined.
 *
 * @example catalogModel('google', 'gemini-2.5-pro')?.price?.tiers?.[0].above_tokens // 200000
 */
export function catalogModel(providerId: string, modelId: string): CatalogModel | undefined {
  return modelMap(providerId)?.get(modelId);
}

/**
 * Every model of a provider, sorted by id; empty for an unknown provider.
 *
 * @example catalogModels('deepseek').filter((m) => m.capabilities.reasoning).map((m) => m.id)
 */
export function catalogModels(providerId: string): CatalogModel[] {
  return [...(modelMap(providerId)?.values() ?? [])];
}

/**
 * Provider ids in the order a bare model name is priced: vendors' own APIs, then clouds, then aggregators.
 *
 * @example catalogLookupOrder()[0] // 'openai'
 */
export function catalogLookupOrder(): readonly string[] {
  return stored.lookup_order;
}

/**
 * The snapshot the shipped catalog was generated from.
 *
 * @example catalogSource().commit // 'f3fc692'
 */
export function catalogSource(): CatalogSource {
  return stored.source;
}

// Which catalog provider a configured `api:` is, when the adapter alone says it.
const CATALOG_ID_BY_API: Readonly<Record<string, string>> = {
  anthropic: 'anthropic',
  gemini: 'google',
  azure: 'azure',
  bedrock: 'amazon-bedrock',
  vertex: 'google-vertex',
};

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The catalog provider a configured provider is: its `preset:` or `catalog:` when it names one, else its native
 * `api:` (anthropic, gemini, azure, bedrock, vertex), else the catalog provider whose base URL has the same host,
 * else its config name when that is a catalog id. Undefined when none fits (a self-hosted server, a proxy).
 *
 * @example catalogProviderFor('ds', { api: 'openai', base_url: 'https://api.deepseek.com/v1' }) // 'deepseek'
 */
export function catalogProviderFor(name: string, config: { api?: unknown; base_url?: unknown; preset?: unknown; catalog?: unknown }): string | undefined {
  for (const named of [config.catalog, config.preset]) if (typeof named === 'string' && providerMap().has(named)) return named;
  const api = typeof config.api === 'string' ? config.api : undefined;
  if (api && CATALOG_ID_BY_API[api]) return CATALOG_ID_BY_API[api];
  const host = hostOf(typeof config.base_url === 'string' ? config.base_url : undefined);
  if (host) {
    // Loopback servers (LM Studio, Ollama, vLLM) share hosts; only a public host identifies a vendor.
    const local = /^(127\.|localhost|\[::1\])/.test(host);
    if (!local) for (const p of providerMap().values()) if (hostOf(p.api) === host) return p.id;
  }
  if (api === 'openai' && !host) return 'openai';
  return providerMap().has(name) ? name : undefined;
}
