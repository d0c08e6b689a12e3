/**
 * `complexity:` in route rules through the real gateway: a score comparison and named tiers pick the alias,
 * and the x-switchyard-route header explains the score that decided.
 */
import { gatewayWithFake } from '../helpers/rig';
import { chat } from '../helpers/client';

const rig = gatewayWithFake(
  (url) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-up", timeout_ms: 3000 }
models:
  auto:
    route:
      - { name: hard, when: { complexity: { gte: 0.6 } }, to: premium }
      - { name: middling, when: { complexity: medium }, to: standard }
      - to: cheap
  tiers:
    route:
      - { name: not-simple, when: { complexity: [medium, complex] }, to: premium }
      - to: cheap
  premium:  { targets: [ { provider: up, model: premium-model } ] }
  standard: { targets: [ { provider: up, model: standard-model } ] }
  cheap:    { targets: [ { provider: up, model: cheap-model } ] }
`,
);

async function routed(alias: string, content: string) {
  const res = await chat(rig.gw.url, { model: alias, messages: [{ role: 'user', content }] });
  expect(res.status).toBe(200);
  await res.text();
  return { model: res.headers.get('x-switchyard-model'), route: res.headers.get('x-switchyard-route') };
}

describe('complexity-aware rules', () => {
  test('a greeting is simple and goes to the cheap alias, saying why', async () => {
    expect(await routed('auto', 'hi there')).toEqual({ model: 'cheap-model', route: 'auto.route[2]; complexity=0.00 simple' });
  });

  test('a one-signal question is medium', async () => {
    const r = await routed('auto', 'Explain how a hash map works.');
    expect(r.model).toBe('standard-model');
    expect(r.route).toBe('middling; complexity=0.30 medium (reasoning)');
  });

  test('a proof with an explanation scores complex and goes to premium', async () => {
    const r = await routed('auto', 'Prove that the square root of 2 is irrational, and explain why the argument works.');
    expect(r.model).toBe('premium-model');
    expect(r.route).toMatch(/^hard; complexity=0\.\d\d complex \(.*math.*\)$/);
  });

  test('a list of tiers matches any of them', async () => {
    expect((await routed('tiers', 'Why is the sky blue?')).model).toBe('premium-model');
    expect((await routed('tiers', 'Thanks!')).model).toBe('cheap-model');
  });
});
