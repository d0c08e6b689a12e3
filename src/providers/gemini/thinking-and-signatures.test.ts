import { toGeminiRequest, thinkingConfigFor } from './request';
import { SIGNATURE_STORE_SIZE, SKIP_THOUGHT_SIGNATURE, thoughtSignatureOf, toolCallId } from './tool-call-ids';

const call = (id: string, extra?: Record<string, unknown>) => ({
  id,
  type: 'function' as const,
  function: { name: 'f', arguments: '{}' },
  ...(extra ? { extra_content: extra } : {}),
});

describe('gemini thinkingConfig', () => {
  it.each([
    ['low', 'gemini-2.5-flash', { thinkingBudget: 1024, includeThoughts: true }],
    ['none', 'gemini-2.5-flash', { thinkingBudget: 0 }],
    ['none', 'gemini-2.5-pro', { thinkingBudget: 128, includeThoughts: true }],
    ['high', 'gemini-3-pro-preview', { thinkingLevel: 'high', includeThoughts: true }],
    ['medium', 'gemini-3-pro-preview', { thinkingLevel: 'high', includeThoughts: true }],
    ['minimal', 'gemini-3-flash-preview', { thinkingLevel: 'minimal', includeThoughts: true }],
    ['medium', 'gemini-3-flash-preview', { thinkingLevel: 'medium', includeThoughts: true }],
  ])('%s on %s', (effort, model, config) => {
    expect(thinkingConfigFor(effort, model)).toEqual(config);
  });

  it('ignores an effort it does not know', () => {
    expect(thinkingConfigFor('__proto__', 'gemini-2.5-flash')).toBeUndefined();
  });
});

describe('gemini tool-call ids and thought signatures', () => {
  it('makes short portable ids and remembers the signature out of band', () => {
    const id = toolCallId({ responseId: 'r-unit', position: 0, name: 'f', signature: 'c2lnLW9uZQ==' });
    expect(id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(thoughtSignatureOf(id)).toBe('c2lnLW9uZQ==');
    expect(thoughtSignatureOf('call_other', { google: { thought_signature: 'carried' } })).toBe('carried');
    expect(thoughtSignatureOf('call_x__thought__bGVnYWN5')).toBe('bGVnYWN5');
    expect(thoughtSignatureOf('call_unknown')).toBeUndefined();
  });

  it('forgets the oldest signatures past the store size', () => {
    const first = toolCallId({ responseId: 'r-evict', position: 0, name: 'f', signature: 'b2xkZXN0' });
    for (let i = 1; i <= SIGNATURE_STORE_SIZE; i++) toolCallId({ responseId: 'r-evict', position: i, name: 'f', signature: `c2ln${i}` });
    expect(thoughtSignatureOf(first)).toBeUndefined();
    expect(thoughtSignatureOf(toolCallId({ responseId: 'r-evict', position: SIGNATURE_STORE_SIZE, name: 'f', signature: `c2ln${SIGNATURE_STORE_SIZE}` }))).toBe(
      `c2ln${SIGNATURE_STORE_SIZE}`,
    );
  });

  it('signs the first function call of each Gemini 3 model turn with the sentinel when it has no signature', () => {
    const messages = [
      { role: 'user' as const, content: 'x' },
      { role: 'assistant' as const, content: null, tool_calls: [call('toolu_1'), call('toolu_2')] },
      { role: 'tool' as const, tool_call_id: 'toolu_1', content: 'a' },
      { role: 'tool' as const, tool_call_id: 'toolu_2', content: 'b' },
    ];
    const g3 = toGeminiRequest({ model: 'gemini-3-pro-preview', messages }, { dropParams: [] });
    expect(g3.contents[1].parts[0].thoughtSignature).toBe(SKIP_THOUGHT_SIGNATURE);
    expect(g3.contents[1].parts[1].thoughtSignature).toBeUndefined();
    const g25 = toGeminiRequest({ model: 'gemini-2.5-flash', messages }, { dropParams: [] });
    expect(g25.contents[1].parts[0].thoughtSignature).toBeUndefined();
  });

  it('sends a carried signature rather than the sentinel', () => {
    const messages = [
      { role: 'user' as const, content: 'x' },
      { role: 'assistant' as const, content: null, tool_calls: [call('call_a', { google: { thought_signature: 'real' } })] },
      { role: 'tool' as const, tool_call_id: 'call_a', content: 'a' },
    ];
    expect(toGeminiRequest({ model: 'gemini-3-pro-preview', messages }, { dropParams: [] }).contents[1].parts[0].thoughtSignature).toBe('real');
  });
});
