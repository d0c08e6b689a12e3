import { compileMatch } from '../config/match-pattern';
import { compileRules, pickRule, routeFactsOf } from './rules';

const facts = (body: Record<string, unknown>, metadata: Record<string, string> = {}, key?: string) =>
  routeFactsOf({ model: 'auto', messages: [{ role: 'user', content: 'hello' }], ...body }, metadata, key);

describe('route rules', () => {
  const rules = compileRules('auto', [
    { name: 'tools', when: { has_tools: true }, to: 'premium' },
    { when: { prompt_tokens: { gt: 100, lte: 1000 } }, to: 'mid' },
    { when: { metadata: { tier: 'pro', beta: true } }, to: 'premium' },
    { when: { key: ['alice', 'bob'] }, to: 'team' },
    { when: { match: '^translate' }, to: 'translator' },
    { to: 'cheap' },
  ]);

  test('the first matching rule wins; unnamed rules are named by position', () => {
    expect(pickRule(rules, facts({ tools: [{ type: 'function', function: { name: 'f' } }] }))?.name).toBe('tools');
    expect(pickRule(rules, facts({}))?.name).toBe('auto.route[5]');
  });

  test('numeric comparisons hold on every bound given', () => {
    expect(pickRule(rules, facts({ messages: [{ role: 'user', content: 'x'.repeat(800) }] }))?.to).toBe('mid');
    expect(pickRule(rules, facts({ messages: [{ role: 'user', content: 'x'.repeat(8000) }] }))?.to).toBe('cheap');
  });

  test('metadata values compare as strings, and every key must match', () => {
    expect(pickRule(rules, facts({}, { tier: 'pro', beta: 'true' }))?.to).toBe('premium');
    expect(pickRule(rules, facts({}, { tier: 'pro' }))?.to).toBe('cheap');
  });

  test('key matches one of the listed key names, and never without a caller', () => {
    expect(pickRule(rules, facts({}, {}, 'bob'))?.to).toBe('team');
    expect(pickRule(rules, facts({}))?.to).toBe('cheap');
  });

  test('match looks at the last user message only', () => {
    expect(pickRule(rules, facts({ messages: [{ role: 'user', content: 'translate this' }] }))?.to).toBe('translator');
    expect(
      pickRule(
        rules,
        facts({
          messages: [
            { role: 'user', content: 'translate this' },
            { role: 'user', content: 'no' },
          ],
        }),
      )?.to,
    ).toBe('cheap');
  });

  test('without a default rule nothing may match', () => {
    expect(pickRule(compileRules('x', [{ when: { has_images: true }, to: 'v' }]), facts({}))).toBeUndefined();
  });

  test('a /pattern/flags string keeps its flags; a plain one is case-sensitive', () => {
    expect(compileMatch('/HELLO/i').test('hello')).toBe(true);
    expect(compileMatch('HELLO').test('hello')).toBe(false);
    expect(() => compileMatch('([')).toThrow(SyntaxError);
  });
});
