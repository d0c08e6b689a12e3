/**
 * Rule-based routing through the real daemon ("cheap for simple, premium for hard"): every condition, the
 * default rule, the x-switchyard-route header, and a rule naming an unknown alias rejected with its line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gatewayWithFake } from '../helpers/rig';
import { chat } from '../helpers/client';

const config = (url: string) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-up", timeout_ms: 3000 }
models:
  auto:
    route:
      - { name: tools, when: { has_tools: true }, to: premium }
      - { name: images, when: { has_images: true }, to: vision }
      - { name: long-prompt, when: { prompt_tokens: { gt: 300 } }, to: long-context }
      - { name: big-budget, when: { max_tokens: { gte: 4000 } }, to: premium }
      - { name: pro-tier, when: { metadata: { tier: pro } }, to: premium }
      - { name: red-team, when: { key: [team-red] }, to: premium }
      - { name: maths, when: { match: "/prove|theorem/i" }, to: premium }
      - { name: short-and-cheap, when: { prompt_tokens: { lt: 300 }, max_tokens: { lt: 100 } }, to: tiny }
      - to: cheap
  premium:      { targets: [ { provider: up, model: premium-model } ] }
  vision:       { targets: [ { provider: up, model: vision-model } ] }
  long-context: { targets: [ { provider: up, model: long-model } ] }
  tiny:         { targets: [ { provider: up, model: tiny-model } ] }
  cheap:        { targets: [ { provider: up, model: cheap-model } ] }
plugins:
  - use: ./caller-from-header.js
`;

// Stands in for an auth plugin: names the caller's key from a test header.
const callerPlugin = `module.exports = {
  name: 'caller-from-header',
  create() {
    return { onRequest(ctx) { const k = ctx.headers['x-test-key']; if (typeof k === 'string') ctx.caller = { keyName: k, models: ['*'] }; } };
  },
};`;

const rig = gatewayWithFake(config, { files: { 'caller-from-header.js': callerPlugin } });

const tool = { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } };

async function route(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await chat(rig.gw.url, { model: 'auto', ...body }, { headers });
  expect(res.status).toBe(200);
  return { rule: res.headers.get('x-switchyard-route'), model: res.headers.get('x-switchyard-model') };
}

describe('rule-based routing', () => {
  test('a request with tools goes to premium (has_tools)', async () => {
    expect(await route({ tools: [tool] })).toEqual({ rule: 'tools', model: 'premium-model' });
  });

  test('a request with an image goes to vision (has_images)', async () => {
    const messages = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        ],
      },
    ];
    expect(await route({ messages })).toEqual({ rule: 'images', model: 'vision-model' });
  });

  test('a long prompt goes to long-context (prompt_tokens gt)', async () => {
    expect(await route({ messages: [{ role: 'user', content: 'word '.repeat(400) }] })).toEqual({ rule: 'long-prompt', model: 'long-model' });
  });

  test('a large completion budget goes to premium (max_tokens gte)', async () => {
    expect(await route({ max_tokens: 8000 })).toEqual({ rule: 'big-budget', model: 'premium-model' });
    expect(await route({ max_completion_tokens: 4000 })).toEqual({ rule: 'big-budget', model: 'premium-model' });
  });

  test('metadata from the x-switchyard-metadata header is matched per key', async () => {
    expect(await route({}, { 'x-switchyard-metadata': JSON.stringify({ tier: 'pro', team: 'x' }) })).toEqual({ rule: 'pro-tier', model: 'premium-model' });
    expect(await route({}, { 'x-switchyard-metadata': JSON.stringify({ tier: 'free' }) })).toEqual({ rule: 'auto.route[8]', model: 'cheap-model' });
  });

  test("the caller's key name is matched (key)", async () => {
    expect(await route({}, { 'x-test-key': 'team-red' })).toEqual({ rule: 'red-team', model: 'premium-model' });
    expect((await route({}, { 'x-test-key': 'team-blue' })).model).toBe('cheap-model');
  });

  test('a regular expression on the last user message is matched (match)', async () => {
    const messages = [
      { role: 'user', content: 'prove this theorem' },
      { role: 'assistant', content: 'which one?' },
      { role: 'user', content: 'Prove Fermat for n = 3' },
    ];
    expect(await route({ messages })).toEqual({ rule: 'maths', model: 'premium-model' });
    expect(
      (
        await route({
          messages: [
            { role: 'user', content: 'prove it' },
            { role: 'user', content: 'never mind' },
          ],
        })
      ).model,
    ).toBe('cheap-model');
  });

  test('all conditions of a rule must hold (prompt_tokens lt and max_tokens lt)', async () => {
    expect(await route({ max_tokens: 50 })).toEqual({ rule: 'short-and-cheap', model: 'tiny-model' });
  });

  test('a request no condition matches takes the default rule, named by its position', async () => {
    expect(await route({})).toEqual({ rule: 'auto.route[8]', model: 'cheap-model' });
  });

  test('a rule pointing at an unknown alias is a config error with its line number', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-rules-'));
    const file = path.join(dir, 'proxy.yaml');
    writeFileSync(
      file,
      `providers:
  up: { api: openai, base_url: "http://127.0.0.1:9/v1" }
models:
  auto:
    route:
      - { when: { has_tools: true }, to: premium }
      - { when: { match: "([unclosed" }, to: cheap }
      - to: cheap
  cheap: { targets: [ { provider: up, model: m } ] }
`,
    );
    const r = spawnSync(process.execPath, [path.resolve(__dirname, '../../dist/cli.js'), 'validate', '--config', file], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}:6:42: models.auto.route[0].to: unknown alias "premium"`);
    expect(r.stderr).toMatch(new RegExp(`:7:\\d+: models\\.auto\\.route\\[1\\]\\.when\\.match: invalid regular expression`));
  });
});
