/**
 * What `switchyard models [--provider P] [--json]` prints: the shipped catalog's providers and models, with
 * prices (USD per 1M tokens), limits and capabilities, as a text table or as JSON.
 */
import { catalogModels, catalogProvider, catalogProviders, catalogSource, type CatalogModel, type CatalogProvider, type CatalogSource } from './catalog';

/** The JSON form: the providers listed and every model of them. */
export interface CatalogListing {
  source: CatalogSource;
  providers: CatalogProvider[];
  models: CatalogModel[];
}

/**
 * The providers (one, or all) and their models. Throws for an unknown provider id, naming the known ones.
 *
 * @example catalogListing('deepseek').models.map((m) => m.id) // ['deepseek-chat', 'deepseek-reasoner', …]
 */
export function catalogListing(providerId?: string): CatalogListing {
  let providers: CatalogProvider[];
  if (providerId === undefined) {
    providers = catalogProviders();
  } else {
    const one = catalogProvider(providerId);
    if (!one)
      throw new Error(
        `unknown catalog provider "${providerId}" (known: ${catalogProviders()
          .map((p) => p.id)
          .join(', ')})`,
      );
    providers = [one];
  }
  return { source: catalogSource(), providers, models: providers.flatMap((p) => catalogModels(p.id)) };
}

function tokens(n: number | undefined): string {
  if (n === undefined) return '-';
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1000) return `${Math.round(n / 1000)}k`;
  return String(n);
}

function usd(n: number | undefined): string {
  return n === undefined ? '-' : String(n);
}

/** Short capability words, in a fixed order. @example capabilityWords(model) // 'tools reasoning image pdf json' */
export function capabilityWords(m: CatalogModel): string {
  const c = m.capabilities;
  const words: string[] = [];
  if (c.tool_call) words.push('tools');
  if (c.reasoning) words.push('reasoning');
  if (c.image_input) words.push('image');
  if (c.pdf_input) words.push('pdf');
  if (c.audio_input) words.push('audio');
  if (c.video_input) words.push('video');
  if (c.structured_output) words.push('json');
  if (c.open_weights) words.push('open-weights');
  if (m.status) words.push(m.status);
  return words.join(' ');
}

function tierNote(m: CatalogModel): string {
  const tiers = m.price?.tiers ?? [];
  return tiers.map((t) => `>${tokens(t.above_tokens)}: ${t.input}/${t.output}`).join(', ');
}

/**
 * The listing as text: a header line per provider, then one line per model.
 *
 * @example formatCatalogListing(catalogListing('deepseek'))
 * // deepseek  DeepSeek  openai-compatible  https://api.deepseek.com  key: DEEPSEEK_API_KEY  (4 models)
 * //   MODEL              CONTEXT  OUT   IN $/1M  OUT $/1M  CACHED  WRITE  WRITE 1H  LONG CONTEXT  CAPABILITIES
 * //   deepseek-chat      1M       384k  0.14     0.28      0.0028  -      -                       tools open-weights
 */
export function formatCatalogListing(listing: CatalogListing): string {
  const lines: string[] = [];
  const source = listing.source;
  lines.push(
    `Catalog: ${source.name}${source.commit ? ` ${source.commit}` : ''}${source.date ? ` (${source.date})` : ''}, ${source.license}; prices in USD per 1M tokens.`,
  );
  for (const p of listing.providers) {
    const key = p.keyless ? 'no key needed' : p.env.length > 0 ? `key: ${p.env.join(', ')}` : 'no key variable';
    lines.push('', `${p.id}  ${p.name}  ${p.api_style}  ${p.api ?? '(URL from region/resource)'}  ${key}  (${p.models} models)`);
    const models = listing.models.filter((m) => m.provider === p.id);
    if (models.length === 0) continue;
    const rows = [['MODEL', 'CONTEXT', 'OUT', 'IN $/1M', 'OUT $/1M', 'CACHED', 'WRITE', 'WRITE 1H', 'LONG CONTEXT', 'CAPABILITIES']];
    for (const m of models) {
      const pr = m.price;
      rows.push([
        m.id,
        tokens(m.context),
        tokens(m.max_output),
        pr ? usd(pr.input) : 'unpriced',
        usd(pr?.output),
        usd(pr?.cached_input),
        usd(pr?.cache_write),
        usd(pr?.cache_write_1h),
        tierNote(m),
        capabilityWords(m),
      ]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) lines.push(`  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}`.trimEnd());
  }
  return lines.join('\n');
}
