import { catalogModel, catalogModels, catalogProviderFor, catalogProviders } from '../catalog/catalog';
import { PICO_PER_TOKEN_PER_USD_PER_MILLION } from './money';
import { buildPriceTable, lookupPrice, resolvePrice } from './price-table';

const table = buildPriceTable();

describe('price table from the shipped catalog', () => {
  it('prices the current models of every major provider', () => {
    for (const model of [
      'o3',
      'o1',
      'gpt-5',
      'gpt-5.4',
      'claude-opus-4-1',
      'claude-sonnet-4-6',
      'gemini-3.1-pro-preview',
      'deepseek-v4-pro',
      'mistral-large-latest',
    ]) {
      expect({ model, priced: lookupPrice(table, model) !== undefined }).toEqual({ model, priced: true });
    }
  });

  it('prices Bedrock and Vertex model ids, and a provider-qualified name at that provider', () => {
    expect(lookupPrice(table, 'anthropic.claude-sonnet-4-5-20250929-v1:0')?.input).toBe(3);
    expect(lookupPrice(table, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')?.cache_write_1h).toBe(6);
    expect(lookupPrice(table, 'claude-sonnet-4@20250514')?.cached_input).toBe(0.3);
    expect(lookupPrice(table, 'deepseek/deepseek-chat')).toEqual(expect.objectContaining({ input: 0.14, output: 0.28, cached_input: 0.0028 }));
    // Anthropic's dated id, retired from its own list but still on Vertex, is found in Vertex's spelling.
    expect(lookupPrice(table, 'claude-3-5-haiku-20241022')).toEqual(expect.objectContaining({ input: 0.8, output: 4 }));
  });

  it("searches the provider's own list first: the same name can cost differently there", () => {
    const bedrock = catalogModel('amazon-bedrock', 'openai.gpt-5.4');
    expect(bedrock?.price?.input).toBe(2.75);
    // A bare name is the vendor's own price; with the provider hint, Bedrock's.
    expect(lookupPrice(table, 'gpt-5.4')?.input).toBe(2.5);
    expect(lookupPrice(table, 'openai.gpt-5.4')?.input).toBe(2.75);
    expect(lookupPrice(table, 'gpt-5.4', 'azure')?.input).toBe(catalogModel('azure', 'gpt-5.4')?.price?.input);
  });

  it('carries long-context tiers: Gemini 2.5 Pro above 200k tokens', () => {
    expect(lookupPrice(table, 'gemini-2.5-pro')?.tiers).toEqual([{ above_tokens: 200_000, input: 2.5, output: 15, cached_input: 0.25 }]);
    expect(lookupPrice(table, 'gemini-2.5-pro', 'google-vertex')?.tiers?.[0].above_tokens).toBe(200_000);
  });

  it('applies the corrections: 1-hour cache writes at 2x input on every Claude, Sonnet 4/4.5 long-context tier', () => {
    const claudes = ['anthropic', 'amazon-bedrock', 'google-vertex', 'google-vertex-anthropic'].flatMap((p) =>
      catalogModels(p).filter((m) => m.id.includes('claude') && m.price),
    );
    expect(claudes.length).toBeGreaterThan(50);
    for (const m of claudes)
      expect({ id: `${m.provider}/${m.id}`, w: m.price?.cache_write_1h }).toEqual({ id: `${m.provider}/${m.id}`, w: m.price!.input * 2 });
    for (const [provider, id] of [
      ['anthropic', 'claude-sonnet-4-20250514'],
      ['anthropic', 'claude-sonnet-4-5'],
      ['amazon-bedrock', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
      ['google-vertex-anthropic', 'claude-sonnet-4@20250514'],
    ]) {
      expect(catalogModel(provider, id)?.price?.tiers).toEqual([
        { above_tokens: 200_000, input: 6, output: 22.5, cached_input: 0.6, cache_write: 7.5, cache_write_1h: 12 },
      ]);
    }
    // Sonnet 4.6 is not Sonnet 4: no tier is invented for it.
    expect(catalogModel('anthropic', 'claude-sonnet-4-6')?.price?.tiers).toBeUndefined();
  });

  it('has prices that are whole pico-dollars per token (so costs are exact integers)', () => {
    for (const p of catalogProviders()) {
      for (const m of catalogModels(p.id)) {
        const pr = m.price;
        if (!pr) continue;
        const values = [
          pr.input,
          pr.output,
          pr.cached_input,
          pr.cache_write,
          pr.cache_write_1h,
          ...(pr.tiers ?? []).flatMap((t) => [t.input, t.output, t.cached_input]),
        ];
        for (const v of values.filter((x): x is number => x !== undefined)) {
          const pico = v * PICO_PER_TOKEN_PER_USD_PER_MILLION;
          expect({ model: `${p.id}/${m.id}`, off: Math.abs(pico - Math.round(pico)) < 1e-6 }).toEqual({ model: `${p.id}/${m.id}`, off: true });
        }
      }
    }
  });
});

describe('resolvePrice: served model, then target model, then the price: override', () => {
  const override = { input: 9, output: 99 };

  it('prices by the model the provider answered with, not the deployment name', () => {
    expect(resolvePrice(table, { servedModel: 'gpt-4o-2024-08-06', targetModel: 'prod-chat', override })).toEqual({
      price: expect.objectContaining({ input: 2.5, output: 10, cached_input: 1.25 }),
      matched: 'served_model',
    });
  });

  it("falls back to the target's model when the served name is unknown", () => {
    expect(resolvePrice(table, { servedModel: 'some-internal-build-7', targetModel: 'gpt-4o-mini', override })?.matched).toBe('target_model');
    expect(resolvePrice(table, { targetModel: 'gpt-4o-mini' })?.price.input).toBe(0.15);
  });

  it('uses the override only when neither name has a price, and is undefined with none', () => {
    expect(resolvePrice(table, { servedModel: 'ft:gpt-4o-mini:acme:x', targetModel: 'my-finetune', override })).toEqual({
      price: override,
      matched: 'override',
    });
    expect(resolvePrice(table, { servedModel: 'ft:gpt-4o-mini:acme:x', targetModel: 'my-finetune' })).toBeUndefined();
  });

  it('lets `pricing:` entries win over the catalog, also over a provider-qualified catalog entry', () => {
    const custom = buildPriceTable({ 'gpt-4o': { input: 1, output: 2 }, 'azure/gpt-4o-mini': { input: 0.5, output: 0.5 } });
    expect(resolvePrice(custom, { servedModel: 'gpt-4o', provider: 'azure' })?.price).toEqual({
      input: 1,
      output: 2,
      context_window: 128000,
      max_output: 16384,
    });
    expect(resolvePrice(custom, { servedModel: 'gpt-4o-mini', provider: 'azure' })?.price.input).toBe(0.5);
    // The qualified entry is Azure's alone.
    expect(resolvePrice(custom, { servedModel: 'gpt-4o-mini', provider: 'openai' })?.price.input).toBe(0.15);
  });
});

describe('catalogProviderFor', () => {
  it('knows a provider by its native api, its base URL host, or its name', () => {
    expect(catalogProviderFor('x', { api: 'anthropic' })).toBe('anthropic');
    expect(catalogProviderFor('x', { api: 'gemini' })).toBe('google');
    expect(catalogProviderFor('ds', { api: 'openai', base_url: 'https://api.deepseek.com/v1' })).toBe('deepseek');
    expect(catalogProviderFor('groq', { api: 'openai', base_url: 'http://127.0.0.1:9999/v1' })).toBe('groq');
    expect(catalogProviderFor('mine', { api: 'openai', base_url: 'http://127.0.0.1:9999/v1' })).toBeUndefined();
    expect(catalogProviderFor('mine', { api: 'openai', preset: 'mistral' })).toBe('mistral');
  });
});
