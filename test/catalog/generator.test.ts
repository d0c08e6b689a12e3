/**
 * `npm run catalog` against the models.dev snapshot in ../shared: the output is deterministic, equals the
 * committed files (so they are not stale or hand-edited), and lists every model the source has for each shipped
 * provider. The snapshot is an input beside the repo, not part of it: a fresh clone (and a CI checkout without
 * ../shared) has none, and then these tests say why they skip. The committed catalog itself is tested elsewhere
 * (src/pricing/price-table.test.ts, test/catalog/*.e2e.test.ts), with or without the snapshot.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SOURCE, generate, SHIPPED_PROVIDERS } from '../../scripts/catalog/generate';

const catalogDir = path.resolve(__dirname, '../../src/catalog');
const haveSource = existsSync(path.join(DEFAULT_SOURCE, 'providers'));
const required = [
  'openai',
  'anthropic',
  'google',
  'google-vertex',
  'google-vertex-anthropic',
  'amazon-bedrock',
  'azure',
  'deepseek',
  'alibaba',
  'mistral',
  'groq',
  'togetherai',
  'fireworks-ai',
  'xai',
  'moonshotai',
  'zai',
  'minimax',
];

// Skipped only when the snapshot is absent (it lives outside the repo, at ../shared); the reason is printed.
if (!haveSource) {
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED catalog generator tests: no models.dev snapshot at ${DEFAULT_SOURCE} (it is not part of the repo)`);
}
const describeIfSource = haveSource ? describe : describe.skip; // reason: no ../shared snapshot beside the repo (printed above)

function tomlCount(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? tomlCount(path.join(dir, e.name)) : e.name.endsWith('.toml') ? 1 : 0),
    0,
  );
}

describeIfSource('catalog generator (models.dev snapshot)', () => {
  // In beforeAll, not at collection: a skipped describe's body still runs when jest collects it.
  let first!: ReturnType<typeof generate>;
  beforeAll(() => {
    first = generate(DEFAULT_SOURCE, catalogDir);
  });

  test('is deterministic and matches the committed files', () => {
    const second = generate(DEFAULT_SOURCE, catalogDir);
    for (const [name, text] of Object.entries(first.files)) {
      expect(second.files[name]).toBe(text);
      expect({ name, fresh: readFileSync(path.join(catalogDir, name), 'utf8') === text }).toEqual({ name, fresh: true });
    }
  });

  test('lists every model the source has for every required provider (a skipped file is named in a warning)', () => {
    for (const id of required) expect(SHIPPED_PROVIDERS).toContain(id);
    for (const id of SHIPPED_PROVIDERS) {
      const inSource = tomlCount(path.join(DEFAULT_SOURCE, 'providers', id, 'models'));
      const skipped = first.catalog.warnings.filter((w) => w.startsWith(`${id}/`) && w.includes(' skipped: ')).length;
      const shipped = Object.keys(first.catalog.models[id]).length;
      expect({ id, count: shipped + skipped }).toEqual({ id, count: inSource });
      if (required.includes(id)) expect({ id, skipped }).toEqual({ id, skipped: 0 });
    }
  });

  test('carries the source fields through: tiers, limits, capabilities, provider URL and key variables', () => {
    const gemini = first.catalog.models.google['gemini-2.5-pro'];
    expect(gemini).toMatchObject({
      context: 1_048_576,
      max_output: 65_536,
      capabilities: { tool_call: true, reasoning: true, structured_output: true, image_input: true, pdf_input: true },
      price: { input: 1.25, output: 10, cached_input: 0.125, tiers: [{ above_tokens: 200_000, input: 2.5, output: 15, cached_input: 0.25 }] },
    });
    expect(first.catalog.providers.providers.deepseek).toMatchObject({
      api: 'https://api.deepseek.com',
      api_style: 'openai-compatible',
      env: ['DEEPSEEK_API_KEY'],
    });
    // MiniMax-M2.1 spells its cache fields cached_input / cached_write: they are priced, not dropped.
    expect(first.catalog.models.minimax['MiniMax-M2.1']).toMatchObject({ price: { cached_input: 0.03, cache_write: 0.375 } });
  });
});
