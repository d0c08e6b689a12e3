/**
 * The price table: the shipped catalog (src/catalog, generated from models.dev with Switchyard's corrections)
 * under the `pricing:` section of proxy.yaml, and the lookups from an upstream model name to its prices.
 */
import { catalogLookupOrder, catalogModels, type CatalogPrice } from '../catalog/catalog';

/** A long-context price: every token of a request whose whole prompt exceeds `above_tokens` is priced at it. */
export interface PriceTier {
  above_tokens: number;
  input: number;
  output: number;
  cached_input?: number;
  cache_write?: number;
  cache_write_1h?: number;
}

/** One model's prices in USD per 1M tokens (which is the same number as micro-dollars per token). */
export interface ModelPrice {
  input: number;
  output: number;
  /** Price of prompt tokens served from the provider's prompt cache; `input` when absent. */
  cached_input?: number;
  /** Price of prompt tokens written to the provider's prompt cache (Anthropic's 5-minute TTL); `input` when absent. */
  cache_write?: number;
  /** Price of cache writes with a 1-hour TTL (Anthropic: 2× input); `cache_write` when absent. */
  cache_write_1h?: number;
  context_window?: number;
  /** Largest completion, tokens (from the catalog). */
  max_output?: number;
  /**
   * Long-context prices, ascending by `above_tokens`: when the request's whole prompt (plain + cached +
   * cache-write tokens) exceeds a tier's `above_tokens`, every token of the request is priced at the highest such tier.
   */
  tiers?: PriceTier[];
}

/**
 * Model name (lower case) → prices. `overrides` are the config's `pricing:` entries, which win over any catalog
 * entry; `providers` holds each catalog provider's own list; `models` every catalog name, a name several providers
 * share priced by the first in the catalog's lookup order (a vendor's own API before clouds and aggregators).
 */
export interface PriceTable {
  readonly overrides: ReadonlyMap<string, ModelPrice>;
  readonly providers: ReadonlyMap<string, ReadonlyMap<string, ModelPrice>>;
  readonly models: ReadonlyMap<string, ModelPrice>;
}

function fromCatalog(price: CatalogPrice, context: number | undefined, maxOutput: number | undefined): ModelPrice {
  const out: ModelPrice = { input: price.input, output: price.output };
  if (price.cached_input !== undefined) out.cached_input = price.cached_input;
  if (price.cache_write !== undefined) out.cache_write = price.cache_write;
  if (price.cache_write_1h !== undefined) out.cache_write_1h = price.cache_write_1h;
  if (context !== undefined) out.context_window = context;
  if (maxOutput !== undefined) out.max_output = maxOutput;
  if (price.tiers) out.tiers = price.tiers.map((t) => ({ ...t }));
  return out;
}

// The catalog part never changes at run time: built once, shared by every table (config reloads included).
let catalogPart: Pick<PriceTable, 'providers' | 'models'> | undefined;

function catalogPrices(): Pick<PriceTable, 'providers' | 'models'> {
  if (catalogPart) return catalogPart;
  const providers = new Map<string, Map<string, ModelPrice>>();
  const models = new Map<string, ModelPrice>();
  for (const providerId of catalogLookupOrder()) {
    const own = new Map<string, ModelPrice>();
    for (const m of catalogModels(providerId)) {
      if (!m.price) continue;
      const price = Object.freeze(fromCatalog(m.price, m.context, m.max_output));
      own.set(m.id.toLowerCase(), price);
      if (!models.has(m.id.toLowerCase())) models.set(m.id.toLowerCase(), price);
    }
    providers.set(providerId, own);
  }
  catalogPart = { providers, models };
  return catalogPart;
}

/**
 * Builds the table from the shipped catalog plus the config's `pricing:` entries (which win). A config entry
 * replaces every price of the model it names (a stale cached price must not survive a new input price), but a
 * context window or output limit it does not mention is taken from the catalog.
 *
 * @example
 * const table = buildPriceTable({ 'deepseek-chat': { input: 0.27, output: 1.1, cached_input: 0.07 } });
 * lookupPrice(table, 'deepseek-chat')?.input // 0.27
 */
export function buildPriceTable(overrides: Readonly<Record<string, ModelPrice>> = {}): PriceTable {
  const { providers, models } = catalogPrices();
  const own = new Map<string, ModelPrice>();
  for (const [model, price] of Object.entries(overrides)) {
    const known = lookupIn({ overrides: new Map(), providers, models }, model);
    const filled: ModelPrice = { ...price };
    if (filled.context_window === undefined && known?.context_window !== undefined) filled.context_window = known.context_window;
    if (filled.max_output === undefined && known?.max_output !== undefined) filled.max_output = known.max_output;
    own.set(model.toLowerCase(), filled);
  }
  return { overrides: own, providers, models };
}

// A trailing release date: "-2024-08-06" (OpenAI) or "-20241022" (Anthropic).
const DATE_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{8})$/;

// Vertex spells Anthropic's `claude-3-5-haiku-20241022` as `claude-3-5-haiku@20241022` (and `…@default` for the latest).
const ANTHROPIC_DATE = /-(\d{8})$/;
const VERTEX_VERSION = /@(\d{8}|default)$/;

/**
 * The names tried for one model, most exact first: as given, without a `vendor/` prefix, in the other of the
 * Anthropic and Vertex spellings of a dated Claude id, without a date suffix.
 */
function candidates(name: string): string[] {
  const withoutVendor = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  const out = [name];
  if (withoutVendor !== name) out.push(withoutVendor);
  if (ANTHROPIC_DATE.test(withoutVendor)) out.push(withoutVendor.replace(ANTHROPIC_DATE, '@$1'));
  const vertex = VERTEX_VERSION.exec(withoutVendor);
  if (vertex) out.push(vertex[1] === 'default' ? withoutVendor.replace(VERTEX_VERSION, '') : withoutVendor.replace(VERTEX_VERSION, '-$1'));
  const undated = withoutVendor.replace(DATE_SUFFIX, '').replace(VERTEX_VERSION, '');
  if (!out.includes(undated)) out.push(undated);
  return out;
}

/** One name, tried as a whole in each source before the next shorter form: config, the provider's own list, the rest. */
function lookupIn(table: PriceTable, model: string, provider?: string): ModelPrice | undefined {
  const own = provider ? table.providers.get(provider) : undefined;
  const find = (name: string) =>
    (provider ? table.overrides.get(`${provider}/${name}`) : undefined) ??
    table.overrides.get(name) ??
    own?.get(name) ??
    providerQualified(table, name) ??
    table.models.get(name);
  // The exact name first, without building the other forms: most requests are priced by it.
  const name = model.toLowerCase();
  const exact = find(name);
  if (exact) return exact;
  for (const other of candidates(name).slice(1)) {
    const price = find(other);
    if (price) return price;
  }
  return undefined;
}

/** `deepseek/deepseek-chat`, `amazon-bedrock/anthropic.claude-…`: a catalog provider id, then its model. */
function providerQualified(table: PriceTable, name: string): ModelPrice | undefined {
  const slash = name.indexOf('/');
  if (slash <= 0) return undefined;
  return table.providers.get(name.slice(0, slash))?.get(name.slice(slash + 1));
}

/**
 * Finds the prices of an upstream model. Tries the exact name, then without a `vendor/` prefix, then (a dated
 * Claude id) in Vertex's `@date` spelling or Anthropic's `-date` one, then without a release-date suffix; each in the config's `pricing:`, then (with `provider`, a catalog provider id) that
 * provider's own catalog list, then every catalog name. Returns undefined for an unknown model: a missing price
 * is never guessed.
 *
 * @example lookupPrice(table, 'gpt-4o-mini-2024-07-18') // the gpt-4o-mini entry
 * @example lookupPrice(table, 'gpt-4o', 'azure') // Azure's own price for gpt-4o
 */
export function lookupPrice(table: PriceTable, model: string, provider?: string): ModelPrice | undefined {
  return lookupIn(table, model, provider);
}

/** What `resolvePrice` looks a price up by. */
export interface PriceQuery {
  /** The model the provider said it answered with (`model` of its response), when it said one. */
  servedModel?: string;
  /** The model of the target that answered, as configured (an Azure deployment name, a fine-tune id…). */
  targetModel?: string;
  /** The `price:` of that target, else of its provider, from proxy.yaml. */
  override?: ModelPrice;
  /** The catalog provider id of that provider (see `catalogProviderFor`): its own list is searched first. */
  provider?: string;
}

/** Which step of the lookup order found the price. */
export type PriceMatch = 'served_model' | 'target_model' | 'override';

/** A price `resolvePrice` found, and by what. */
export interface ResolvedPrice {
  price: ModelPrice;
  matched: PriceMatch;
}

/**
 * The price of a served request, in the documented lookup order: the model the provider answered with, then the
 * target's model, then the per-target or per-provider `price:` override. Undefined when none of them has a price
 * (the request is unpriced: recorded as unknown, never as 0).
 *
 * @example
 * resolvePrice(table, { servedModel: 'gpt-4o-2024-08-06', targetModel: 'prod-chat', provider: 'azure' })
 * // { price: <azure gpt-4o-2024-08-06>, matched: 'served_model' }
 */
export function resolvePrice(table: PriceTable, query: PriceQuery): ResolvedPrice | undefined {
  if (query.servedModel) {
    const price = lookupIn(table, query.servedModel, query.provider);
    if (price) return { price, matched: 'served_model' };
  }
  if (query.targetModel) {
    const price = lookupIn(table, query.targetModel, query.provider);
    if (price) return { price, matched: 'target_model' };
  }
  if (query.override) return { price: query.override, matched: 'override' };
  return undefined;
}
