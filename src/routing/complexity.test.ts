import { complexityOf, describeComplexity, tierOf } from './complexity';

describe('complexityOf', () => {
  it('scores a greeting 0 and a multi-part proof as complex', () => {
    expect(complexityOf({ messages: [{ role: 'user', content: 'hello' }] })).toEqual({ score: 0, tier: 'simple', signals: [] });
    const hard = complexityOf({ messages: [{ role: 'user', content: 'Prove the theorem step by step and explain why each step holds.' }] });
    expect(hard.tier).toBe('complex');
    expect(hard.signals).toEqual(expect.arrayContaining(['math', 'multi-step', 'reasoning']));
  });

  it('is deterministic and reads only the last user message for text signals', () => {
    const body = {
      messages: [
        { role: 'user' as const, content: 'Prove it.' },
        { role: 'assistant' as const, content: 'Done.' },
        { role: 'user' as const, content: 'thanks' },
      ],
    };
    expect(complexityOf(body)).toEqual(complexityOf(body));
    expect(complexityOf(body).signals).toEqual([]);
  });

  it('counts tools, images and long conversations', () => {
    const messages = Array.from({ length: 8 }, () => ({ role: 'user' as const, content: [{ type: 'image_url' as const, image_url: { url: 'x' } }] }));
    const c = complexityOf({ messages, tools: [{ type: 'function', function: { name: 'f' } }] });
    expect(c.signals).toEqual(['tools', 'images', 'long-conversation']);
    expect(c.score).toBe(0.55);
  });

  it('draws tiers at 0.3 and 0.6 and explains itself', () => {
    expect([tierOf(0.29), tierOf(0.3), tierOf(0.6)]).toEqual(['simple', 'medium', 'complex']);
    expect(describeComplexity({ score: 0.6, tier: 'complex', signals: ['code', 'reasoning'] })).toBe('0.60 complex (code, reasoning)');
  });

  it('is bounded on huge prompts (only the tail is scanned)', () => {
    const c = complexityOf({ messages: [{ role: 'user', content: `${'prove '.repeat(10_000)}${'x'.repeat(5_000)}` }] });
    expect(c.signals).toEqual(['long']);
  });
});
