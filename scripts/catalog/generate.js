#!/usr/bin/env node
// `npm run catalog`: turns the models.dev snapshot (../shared/catalog/models.dev, one TOML file per provider and
// model) into the catalog the gateway ships, src/catalog/models.generated.json and providers.generated.json,
// with Switchyard's corrections (src/catalog/corrections.json) merged on top. The output is committed, so a fresh
// clone builds and tests from it alone; run this again only to take a newer snapshot or a new correction.
//
// Output is deterministic: providers and models sorted by id, keys in a fixed order, one model per line (a new
// snapshot shows up as a readable diff).
//
// Usage: node scripts/catalog/generate.js [--source DIR] [--out DIR] [--check]
//   --check   writes nothing; exits 1 when the committed files differ from what the source gives.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parse } = require('smol-toml');

const ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_SOURCE = path.resolve(ROOT, '..', 'shared', 'catalog', 'models.dev');
const DEFAULT_OUT = path.join(ROOT, 'src', 'catalog');

// What ships, in the order a bare model name is looked up: vendors' own APIs first (their price is the list price),
// then the clouds that resell them, then aggregators. A name two providers share is priced by the first here.
const SHIPPED_PROVIDERS = [
  'openai',
  'anthropic',
  'google',
  'deepseek',
  'mistral',
  'xai',
  'alibaba',
  'moonshotai',
  'zai',
  'minimax',
  'groq',
  'cerebras',
  'perplexity',
  'fireworks-ai',
  'togetherai',
  'deepinfra',
  'azure',
  'amazon-bedrock',
  'google-vertex',
  'google-vertex-anthropic',
  'alibaba-cn',
  'moonshotai-cn',
  'zhipuai',
  'minimax-cn',
  'openrouter',
  'ollama-cloud',
  'lmstudio',
];

// The HTTP API a provider speaks, from the AI SDK package models.dev names for it. The SDK packages of these
// vendors all call an OpenAI-compatible /chat/completions endpoint.
const API_STYLE_BY_NPM = {
  '@ai-sdk/openai-compatible': 'openai-compatible',
  '@ai-sdk/openai': 'openai',
  '@ai-sdk/anthropic': 'anthropic',
  '@ai-sdk/google': 'gemini',
  '@ai-sdk/google-vertex': 'vertex',
  '@ai-sdk/google-vertex/anthropic': 'vertex-anthropic',
  '@ai-sdk/amazon-bedrock': 'bedrock',
  '@ai-sdk/amazon-bedrock/mantle': 'openai-compatible',
  '@ai-sdk/azure': 'azure',
  '@ai-sdk/mistral': 'openai-compatible',
  '@ai-sdk/groq': 'openai-compatible',
  '@ai-sdk/xai': 'openai-compatible',
  '@ai-sdk/togetherai': 'openai-compatible',
  '@ai-sdk/perplexity': 'openai-compatible',
  '@ai-sdk/cerebras': 'openai-compatible',
  '@ai-sdk/deepinfra': 'openai-compatible',
  '@ai-sdk/fireworks': 'openai-compatible',
  '@openrouter/ai-sdk-provider': 'openai-compatible',
};

const PRICE_KEYS = ['input', 'output', 'cache_read', 'cache_write', 'reasoning', 'input_audio', 'output_audio'];

function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Tables merge key by key (a provider file overrides single fields of its base model); arrays and values replace. */
function deepMerge(base, over) {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}

function omitPath(obj, dotted) {
  const parts = dotted.split('.');
  let node = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!isObject(node[parts[i]])) return;
    node[parts[i]] = { ...node[parts[i]] };
    node = node[parts[i]];
  }
  delete node[parts[parts.length - 1]];
}

// Some source files are git symlinks flattened to text: their whole content is a relative path to another file.
const LINK = /^\s*(\.{1,2}\/[^\s=]+\.toml)\s*$/;

class DanglingLink extends Error {}

function readToml(file, depth = 0) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const link = LINK.exec(text);
    if (link) {
      const target = path.resolve(path.dirname(file), link[1]);
      if (depth > 8) throw new Error(`${file}: symlink loop`);
      if (!fs.existsSync(target)) throw new DanglingLink(`${file} links to ${target}, which is not in the snapshot`);
      return readToml(target, depth + 1);
    }
    return parse(text);
  } catch (err) {
    if (err instanceof DanglingLink || depth > 0) throw err;
    throw new Error(`${file}: ${err.message.split('\n')[0]}`, { cause: err });
  }
}

/** Every *.toml under dir, as model ids (subfolders become `/`), sorted. */
function modelFiles(dir) {
  const out = [];
  const walk = (sub) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.toml')) out.push(rel.slice(0, -'.toml'.length));
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out.sort();
}

/**
 * Reads the source: every shipped provider's provider.toml and models, each model merged over its base model.
 *
 * @returns {{ providers: Record<string, { meta: object, models: Record<string, object> }>, snapshot: object }}
 */
function readSource(sourceDir) {
  if (!fs.existsSync(path.join(sourceDir, 'providers'))) throw new Error(`no models.dev snapshot at ${sourceDir}`);
  const providers = {};
  const warnings = [];
  for (const id of SHIPPED_PROVIDERS) {
    const dir = path.join(sourceDir, 'providers', id);
    if (!fs.existsSync(path.join(dir, 'provider.toml'))) throw new Error(`the snapshot has no provider "${id}"`);
    const models = {};
    for (const modelId of modelFiles(path.join(dir, 'models'))) {
      let data;
      try {
        data = readToml(path.join(dir, 'models', `${modelId}.toml`));
      } catch (err) {
        if (!(err instanceof DanglingLink)) throw err;
        warnings.push(`${id}/${modelId} skipped: ${err.message}`);
        continue;
      }
      if (typeof data.base_model === 'string') {
        const baseFile = path.join(sourceDir, 'models', `${data.base_model}.toml`);
        if (!fs.existsSync(baseFile)) throw new Error(`${id}/${modelId}: base_model "${data.base_model}" is not in models/`);
        const { base_model_omit: omit, ...own } = data;
        data = deepMerge(readToml(baseFile), own);
        for (const p of Array.isArray(omit) ? omit : []) omitPath(data, p);
      }
      models[modelId] = data;
    }
    providers[id] = { meta: readToml(path.join(dir, 'provider.toml')), models };
  }
  return { providers, snapshot: readSnapshotInfo(sourceDir), warnings };
}

/** The snapshot's commit and date, from the README beside it ("a snapshot (commit f3fc692, 2 July 2026)"). */
function readSnapshotInfo(sourceDir) {
  const readme = path.join(sourceDir, '..', 'README.md');
  const text = fs.existsSync(readme) ? fs.readFileSync(readme, 'utf8') : '';
  const m = /commit\s+([0-9a-f]{7,40}),\s*([^)]+)\)/.exec(text);
  return { name: 'models.dev', url: 'https://models.dev', license: 'MIT', commit: m ? m[1] : null, date: m ? m[2].trim() : null };
}

function num(v) {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** A [cost] table with the field names a few source files misspell put right (see corrections.json). */
function normaliseCost(cost, aliases) {
  const out = { ...cost };
  for (const [wrong, right] of Object.entries(aliases)) {
    if (wrong in out) {
      if (out[right] === undefined) out[right] = out[wrong];
      delete out[wrong];
    }
  }
  return out;
}

/** Source [cost] → Switchyard's price fields (USD per 1M tokens): cache_read is cached_input. */
function priceOf(rawCost, aliases, where, warn) {
  if (!isObject(rawCost)) return undefined;
  const cost = normaliseCost(rawCost, aliases);
  const input = num(cost.input);
  const output = num(cost.output);
  if (input === undefined || output === undefined) return undefined;
  const price = { input, output };
  if (num(cost.cache_read) !== undefined) price.cached_input = cost.cache_read;
  if (num(cost.cache_write) !== undefined) price.cache_write = cost.cache_write;
  for (const k of ['reasoning', 'input_audio', 'output_audio']) if (num(cost[k]) !== undefined) price[k] = cost[k];
  const tiers = [];
  for (const t of Array.isArray(cost.tiers) ? cost.tiers : []) {
    const tier = normaliseCost(t, aliases);
    const size = isObject(tier.tier) ? num(tier.tier.size) : undefined;
    const kind = isObject(tier.tier) ? (tier.tier.type ?? 'context') : undefined;
    if (size === undefined || kind !== 'context' || num(tier.input) === undefined || num(tier.output) === undefined) {
      warn(`${where}: skipped a cost tier the generator does not understand: ${JSON.stringify(t)}`);
      continue;
    }
    const out = { above_tokens: size, input: tier.input, output: tier.output };
    if (num(tier.cache_read) !== undefined) out.cached_input = tier.cache_read;
    if (num(tier.cache_write) !== undefined) out.cache_write = tier.cache_write;
    tiers.push(out);
  }
  if (tiers.length > 0) price.tiers = tiers.sort((a, b) => a.above_tokens - b.above_tokens);
  for (const k of Object.keys(cost)) {
    if (!PRICE_KEYS.includes(k) && k !== 'tiers') warn(`${where}: unknown [cost] field "${k}" ignored`);
  }
  return price;
}

function strings(v) {
  return Array.isArray(v) ? v.filter((s) => typeof s === 'string') : [];
}

function bool(v) {
  return typeof v === 'boolean' ? v : undefined;
}

/** One source model → the shipped entry (fields in a fixed order; absent facts are left out, never guessed). */
function modelEntry(providerId, modelId, m, aliases, warn) {
  const input = strings(m.modalities?.input);
  const output = strings(m.modalities?.output);
  const entry = {};
  const set = (k, v) => {
    if (v !== undefined && v !== null) entry[k] = v;
  };
  set('name', typeof m.name === 'string' ? m.name : modelId);
  set('family', typeof m.family === 'string' ? m.family : undefined);
  set('release_date', typeof m.release_date === 'string' ? m.release_date : undefined);
  set('knowledge', typeof m.knowledge === 'string' ? m.knowledge : undefined);
  set('status', ['alpha', 'beta', 'deprecated'].includes(m.status) ? m.status : undefined);
  set('context', num(m.limit?.context) || undefined);
  set('max_input', num(m.limit?.input) || undefined);
  set('max_output', num(m.limit?.output) || undefined);
  entry.modalities = { input, output };
  const caps = {
    tool_call: bool(m.tool_call) ?? false,
    reasoning: bool(m.reasoning) ?? false,
    attachment: bool(m.attachment) ?? false,
    image_input: input.includes('image'),
    pdf_input: input.includes('pdf'),
    audio_input: input.includes('audio'),
    video_input: input.includes('video'),
  };
  // Optional in the source: absent means unknown, so it stays absent rather than false.
  if (bool(m.structured_output) !== undefined) caps.structured_output = m.structured_output;
  if (bool(m.temperature) !== undefined) caps.temperature = m.temperature;
  if (bool(m.open_weights) !== undefined) caps.open_weights = m.open_weights;
  entry.capabilities = caps;
  if (isObject(m.interleaved) && typeof m.interleaved.field === 'string') entry.reasoning_field = m.interleaved.field;
  set('price', priceOf(m.cost, aliases, `${providerId}/${modelId}`, warn));
  // A model some providers serve at a different endpoint than the provider's own (Bedrock's OpenAI models).
  if (isObject(m.provider)) {
    if (typeof m.provider.api === 'string') entry.api = m.provider.api;
    if (typeof m.provider.npm === 'string') entry.api_style = API_STYLE_BY_NPM[m.provider.npm] ?? 'unknown';
  }
  return entry;
}

function providerEntry(id, meta, modelCount, corrections) {
  const fix = corrections.providers[id] ?? {};
  const npm = typeof meta.npm === 'string' ? meta.npm : undefined;
  const entry = { name: meta.name ?? id };
  const api = fix.api ?? (typeof meta.api === 'string' ? meta.api : undefined);
  if (api) entry.api = api;
  entry.api_style = fix.api_style ?? (npm ? (API_STYLE_BY_NPM[npm] ?? 'unknown') : 'unknown');
  if (npm) entry.npm = npm;
  entry.env = fix.env ?? strings(meta.env);
  if (fix.keyless) entry.keyless = true;
  if (typeof meta.doc === 'string') entry.doc = meta.doc;
  entry.models = modelCount;
  entry.source = fix.api && fix.api !== meta.api ? 'models.dev+switchyard' : 'models.dev';
  return entry;
}

/** Is this a Claude model served through Anthropic's own caching (Anthropic, Bedrock, Vertex, Azure Foundry)? */
function matches(rule, providerId, modelId) {
  return rule.providers.includes(providerId) && new RegExp(rule.model_pattern).test(modelId);
}

/** Applies corrections.json to one entry; returns the names of the corrections applied. */
function correct(providerId, modelId, entry, corrections) {
  const applied = [];
  const price = entry.price;
  for (const fix of corrections.prices) {
    if (fix.provider === providerId && fix.model === modelId) {
      entry.price = { ...(price ?? {}), ...fix.set };
      applied.push(`price: ${fix.why}`);
    }
  }
  for (const rule of corrections.tiers) {
    if (!entry.price || !matches(rule, providerId, modelId)) continue;
    const have = (entry.price.tiers ?? []).some((t) => t.above_tokens === rule.tier.above_tokens);
    if (have) continue;
    entry.price.tiers = [...(entry.price.tiers ?? []), { ...rule.tier }].sort((a, b) => a.above_tokens - b.above_tokens);
    applied.push('tiers');
  }
  const oneHour = corrections.cache_write_1h;
  if (entry.price && matches(oneHour, providerId, modelId)) {
    entry.price.cache_write_1h = entry.price.input * oneHour.input_multiplier;
    for (const t of entry.price.tiers ?? []) t.cache_write_1h = t.input * oneHour.input_multiplier;
    applied.push('cache_write_1h');
  }
  return applied;
}

const PRICE_ORDER = ['input', 'output', 'cached_input', 'cache_write', 'cache_write_1h', 'reasoning', 'input_audio', 'output_audio', 'tiers'];
const TIER_ORDER = ['above_tokens', 'input', 'output', 'cached_input', 'cache_write', 'cache_write_1h'];

function ordered(obj, keys) {
  const out = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

/**
 * The shipped catalog from a read source and the corrections.
 *
 * @returns {{ models: Record<string, Record<string, object>>, providers: object, warnings: string[] }}
 */
function buildCatalog(source, corrections) {
  const warnings = [...(source.warnings ?? [])];
  const warn = (w) => warnings.push(w);
  const models = {};
  const providers = {};
  for (const id of [...SHIPPED_PROVIDERS].sort()) {
    const { meta, models: raw } = source.providers[id];
    const out = {};
    for (const modelId of Object.keys(raw).sort()) {
      const entry = modelEntry(id, modelId, raw[modelId], corrections.cost_field_aliases.fields, warn);
      const applied = correct(id, modelId, entry, corrections);
      if (entry.price) {
        const price = ordered(entry.price, PRICE_ORDER);
        if (price.tiers) price.tiers = price.tiers.map((t) => ordered(t, TIER_ORDER));
        entry.price = price;
      }
      if (applied.length > 0) entry.corrections = applied;
      out[modelId] = entry;
    }
    models[id] = out;
    providers[id] = providerEntry(id, meta, Object.keys(out).length, corrections);
  }
  // Providers the source does not list (local servers) that Switchyard knows how to reach.
  for (const [id, extra] of Object.entries(corrections.extra_providers).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (providers[id]) throw new Error(`corrections.json: extra provider "${id}" is already in the source`);
    const entry = { ...extra };
    delete entry.why;
    providers[id] = { ...entry, models: 0, source: 'switchyard' };
    models[id] = {};
  }
  const sortedProviders = {};
  for (const id of Object.keys(providers).sort()) sortedProviders[id] = providers[id];
  return {
    models,
    providers: { source: source.snapshot, lookup_order: SHIPPED_PROVIDERS, providers: sortedProviders },
    warnings,
  };
}

/** models.generated.json text: one provider per block, one model per line. */
function formatModels(models) {
  const blocks = Object.entries(models).map(([provider, entries]) => {
    const lines = Object.entries(entries).map(([id, entry]) => `    ${JSON.stringify(id)}: ${JSON.stringify(entry)}`);
    return lines.length === 0 ? `  ${JSON.stringify(provider)}: {}` : `  ${JSON.stringify(provider)}: {\n${lines.join(',\n')}\n  }`;
  });
  return `{\n${blocks.join(',\n')}\n}\n`;
}

function formatProviders(providers) {
  const { providers: list, ...head } = providers;
  const lines = Object.entries(list).map(([id, entry]) => `    ${JSON.stringify(id)}: ${JSON.stringify(entry)}`);
  const headLines = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n${headLines.join(',\n')},\n  "providers": {\n${lines.join(',\n')}\n  }\n}\n`;
}

function readCorrections(outDir) {
  return JSON.parse(fs.readFileSync(path.join(outDir, 'corrections.json'), 'utf8'));
}

/**
 * Generates the two files' text from a source folder.
 *
 * @example const { files } = generate('../shared/catalog/models.dev'); files['models.generated.json']
 */
function generate(sourceDir = DEFAULT_SOURCE, outDir = DEFAULT_OUT) {
  const catalog = buildCatalog(readSource(sourceDir), readCorrections(outDir));
  return {
    catalog,
    files: { 'models.generated.json': formatModels(catalog.models), 'providers.generated.json': formatProviders(catalog.providers) },
  };
}

function main(argv) {
  const arg = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sourceDir = path.resolve(arg('--source') ?? process.env.CATALOG_SOURCE ?? DEFAULT_SOURCE);
  const outDir = path.resolve(arg('--out') ?? DEFAULT_OUT);
  const { catalog, files } = generate(sourceDir, outDir);
  for (const w of catalog.warnings) console.warn(`catalog: ${w}`);
  if (argv.includes('--check')) {
    const stale = Object.entries(files).filter(
      ([name, text]) => !fs.existsSync(path.join(outDir, name)) || fs.readFileSync(path.join(outDir, name), 'utf8') !== text,
    );
    for (const [name] of stale) console.error(`catalog: ${name} is not what the source gives; run npm run catalog`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(outDir, name), text);
  const counts = Object.entries(catalog.models).map(([p, m]) => `${p} ${Object.keys(m).length}`);
  console.log(`catalog: wrote ${Object.keys(files).join(', ')} to ${path.relative(process.cwd(), outDir) || '.'} (${counts.join(', ')})`);
  return 0;
}

module.exports = { generate, readSource, buildCatalog, SHIPPED_PROVIDERS, DEFAULT_SOURCE };

if (require.main === module) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (err) {
    console.error(`catalog: ${err.message}`);
    process.exit(1);
  }
}
