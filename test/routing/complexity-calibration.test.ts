/**
 * Calibration of the complexity score against the labelled prompts. It prints the confusion table that
 * docs/routing.md shows and fails when the docs' table is stale, when accuracy drops below 80%, or when a prompt
 * lands two tiers away from its label (simple ↔ complex), the mistake that costs most.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { complexityOf, type ComplexityTier } from '../../src/routing/complexity';
import { LABELLED_PROMPTS } from './complexity-prompts';

const TIERS: ComplexityTier[] = ['simple', 'medium', 'complex'];

function scored() {
  return LABELLED_PROMPTS.map((p) => {
    const content = p.image
      ? [
          { type: 'text', text: p.prompt },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        ]
      : p.prompt;
    const tools = p.tools ? [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object' } } }] : undefined;
    return { label: p.tier, got: complexityOf({ messages: [{ role: 'user', content }], tools }), prompt: p.prompt };
  });
}

function confusionTable(rows: ReturnType<typeof scored>): string {
  const lines = ['| label \\ scored | simple | medium | complex |', '| --- | --- | --- | --- |'];
  for (const label of TIERS) {
    const counts = TIERS.map((t) => rows.filter((r) => r.label === label && r.got.tier === t).length);
    lines.push(`| ${label} | ${counts.join(' | ')} |`);
  }
  const right = rows.filter((r) => r.label === r.got.tier).length;
  lines.push('', `${right} of ${rows.length} prompts (${Math.round((100 * right) / rows.length)}%) land in their labelled tier.`);
  return lines.join('\n');
}

describe('complexity calibration', () => {
  const rows = scored();

  test('at least 80% of the labelled prompts land in their tier, and none two tiers away', () => {
    const right = rows.filter((r) => r.label === r.got.tier).length;
    const farOff = rows.filter((r) => Math.abs(TIERS.indexOf(r.label) - TIERS.indexOf(r.got.tier)) === 2);
    expect(farOff.map((r) => `${r.label} → ${r.got.tier} ${r.got.score}: ${r.prompt.slice(0, 60)}`)).toEqual([]);
    expect(right / rows.length).toBeGreaterThanOrEqual(0.8);
  });

  test('docs/routing.md shows the current confusion table', () => {
    const table = confusionTable(rows);
    const docs = readFileSync(path.join(__dirname, '../../docs/routing.md'), 'utf8');
    const between = /<!-- complexity-confusion:start -->\n([\s\S]*?)\n<!-- complexity-confusion:end -->/.exec(docs)?.[1];
    // eslint-disable-next-line no-console -- the table to paste when the weights change
    if (between?.trim() !== table.trim()) console.log(`docs/routing.md needs this table:\n${table}`);
    expect(between?.trim()).toBe(table.trim());
  });
});
