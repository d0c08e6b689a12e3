import { isSealedReasoning, openSealedReasoning, responseForClient, sealReasoning } from './sealed-reasoning';
import { responseShell } from './response';

describe('sealed reasoning', () => {
  test('a seal opens to the block it was made of (thinking or redacted); anything else opens to nothing', () => {
    const sealed = sealReasoning({ type: 'thinking', thinking: 'Let me see — ü', signature: 'EqQB+/=' });
    expect(openSealedReasoning(sealed)).toEqual({ type: 'thinking', thinking: 'Let me see — ü', signature: 'EqQB+/=' });
    const redacted = { type: 'redacted_thinking', data: 'EmwKAhgB+/=' } as const;
    expect(openSealedReasoning(sealReasoning(redacted))).toEqual(redacted);
    expect(openSealedReasoning(sealReasoning({ type: 'redacted_thinking', data: '' }))).toBeUndefined();
    expect(openSealedReasoning('gAAAAABoOpenAIsOwn')).toBeUndefined();
    expect(openSealedReasoning('swy_rs1.not-json')).toBeUndefined();
    expect(openSealedReasoning(sealReasoning({ type: 'thinking', thinking: 'x', signature: '' }))).toBeUndefined();
    expect(openSealedReasoning(undefined)).toBeUndefined();
  });

  test('the client view leaves out the gateway’s seals only, and only when not asked for them', () => {
    const frame = { id: 'resp_1', createdAt: 1, request: { model: 'm', input: [] }, model: 'm' };
    const ours = { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: sealReasoning({ type: 'thinking', thinking: 'a', signature: 's' }) };
    const openai = { type: 'reasoning', id: 'rs_2', summary: [], encrypted_content: 'gAAAAAB' };
    const response = { ...responseShell(frame, 'completed'), output: [ours, openai] };
    expect(isSealedReasoning(ours)).toBe(true);
    expect(responseForClient(response, false).output).toEqual([{ type: 'reasoning', id: 'rs_1', summary: [] }, openai]);
    expect(responseForClient(response, true)).toBe(response);
    expect(response.output[0].encrypted_content).toBeDefined();
  });
});
