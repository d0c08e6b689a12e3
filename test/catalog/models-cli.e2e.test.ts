/**
 * The catalog on the command line: `switchyard models [--provider P] [--json]` prints what the shipped catalog
 * knows, and `switchyard validate` warns (without failing) about targets that will be unpriced under cost-log.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CatalogListing } from '../../src/catalog/catalog-listing';

const repo = path.resolve(__dirname, '../..');
const cli = path.join(repo, 'dist/cli.js');

function run(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

function writeTemp(text: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'switchyard-catalog-')), 'proxy.yaml');
  writeFileSync(file, text);
  return file;
}

describe('switchyard models', () => {
  test('--provider deepseek prints its base URL, key variable and each model with prices and capabilities', () => {
    const r = run(['models', '--provider', 'deepseek']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^deepseek {2}DeepSeek {2}openai-compatible {2}https:\/\/api\.deepseek\.com {2}key: DEEPSEEK_API_KEY {2}\(4 models\)$/m);
    expect(r.stdout).toMatch(/^ {2}deepseek-v4-pro +1M +384k +0\.435 +0\.87 +0\.003625 +- +- +tools reasoning json open-weights$/m);
  });

  test('shows the long-context tier and the 1-hour cache-write price of a Claude model', () => {
    const r = run(['models', '--provider', 'anthropic']);
    expect(r.stdout).toMatch(/^ {2}claude-sonnet-4-20250514 +200k +64k +3 +15 +0\.3 +3\.75 +6 +>200k: 6\/22\.5 +tools reasoning image pdf$/m);
  });

  test('--json is the listing: source, providers and models with their catalog fields', () => {
    const r = run(['models', '--provider', 'google', '--json']);
    expect(r.status).toBe(0);
    const listing = JSON.parse(r.stdout) as CatalogListing;
    expect(listing.source).toMatchObject({ name: 'models.dev', license: 'MIT' });
    expect(listing.providers.map((p) => p.id)).toEqual(['google']);
    expect(listing.models.find((m) => m.id === 'gemini-2.5-pro')).toMatchObject({
      provider: 'google',
      context: 1_048_576,
      price: { tiers: [{ above_tokens: 200_000, input: 2.5 }] },
      capabilities: { tool_call: true, reasoning: true },
    });
  });

  test('without --provider lists every provider; an unknown one is an error naming the known ones', () => {
    const all = JSON.parse(run(['models', '--json']).stdout) as CatalogListing;
    for (const id of ['openai', 'amazon-bedrock', 'google-vertex', 'azure', 'mistral', 'groq', 'ollama', 'vllm'])
      expect(all.providers.map((p) => p.id)).toContain(id);
    const bad = run(['models', '--provider', 'nope']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('unknown catalog provider "nope" (known: alibaba, ');
  });
});

describe('switchyard validate: unpriced targets', () => {
  const config = (plugins: string) => `providers:
  up: { api: openai, base_url: "https://example.invalid/v1", api_key: "k-123456" }
models:
  priced: { targets: [ { provider: up, model: gpt-4o-mini } ] }
  tuned:
    targets:
      - { provider: up, model: my-finetune }
      - { provider: up, model: my-finetune, price: { input: 1, output: 2 } }
${plugins}`;

  test('warns, with the place in the file, for each target no price covers while cost-log is on; still valid', () => {
    const file = writeTemp(config('plugins:\n  - use: cost-log\n    sink: jsonl://./spend.jsonl\n'));
    const r = run(['validate', '--config', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`${file}: OK`);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toEqual([
      `warning: ${file}:7:32: models.tuned.targets[0].model: no price for "my-finetune" (provider up): its requests will be recorded as unpriced unless the provider answers with a model the catalog knows; add \`price:\` to the target or its provider, or an entry under \`pricing:\``,
    ]);
  });

  test('says nothing without cost-log (nothing is priced then)', () => {
    const r = run(['validate', '--config', writeTemp(config(''))]);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('no price for');
  });
});
