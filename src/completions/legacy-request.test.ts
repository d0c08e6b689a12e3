import { GatewayError } from '../errors';
import { checkBridgeable, LEGACY_COMPLETION, legacyToChatRequest, validateLegacyCompletion } from './legacy-request';
import { chatChunkToTextChunk, chatToTextCompletion } from './legacy-response';
import { textCompletionToChat } from './native-adapter';

describe('legacy completions requests', () => {
  it('become one user message, with the legacy request attached but never serialised', () => {
    const chat = legacyToChatRequest(validateLegacyCompletion({ model: 'm', prompt: ['a', 'b'], max_tokens: 3, echo: true }));
    expect(chat.messages).toEqual([{ role: 'user', content: 'a\n\nb' }]);
    expect(chat.max_tokens).toBe(3);
    expect(chat[LEGACY_COMPLETION]?.echo).toBe(true);
    expect({ ...chat }[LEGACY_COMPLETION]).toBeDefined(); // routing copies the body per attempt
    expect(JSON.stringify(chat)).not.toContain('echo');
  });

  it.each([
    [{ model: 'm' }, 'prompt'],
    [{ model: 'm', prompt: 1 }, 'prompt'],
    [{ prompt: 'x' }, 'model'],
    [{ model: 'm', prompt: 'x', temperature: 3 }, 'temperature'],
    [{ model: 'm', prompt: 'x', stop: ['1', '2', '3', '4', '5'] }, 'stop'],
  ])('refuses %j naming %s', (body, param) => {
    try {
      validateLegacyCompletion(body);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(GatewayError);
      expect((e as GatewayError).param).toBe(param);
    }
  });

  it('refuses for a bridged backend what only /completions can do', () => {
    expect(() => checkBridgeable({ model: 'm', prompt: 'x', echo: true }, 'p')).toThrow(/'echo'/);
    expect(() => checkBridgeable({ model: 'm', prompt: [1, 2] }, 'p')).toThrow(/token ids/);
    expect(() => checkBridgeable({ model: 'm', prompt: 'x', n: 2 }, 'p')).toThrow(/'n'/);
    expect(() => checkBridgeable({ model: 'm', prompt: 'x', best_of: 1, echo: false }, 'p')).not.toThrow();
  });
});

describe('legacy completions answers', () => {
  it('round-trip a native text_completion through the chat shape, logprobs included', () => {
    const native = {
      id: 'cmpl-1',
      object: 'text_completion',
      created: 5,
      model: 'i',
      choices: [{ text: 'hi', index: 0, logprobs: { tokens: ['hi'] }, finish_reason: 'stop' }],
    };
    expect(chatToTextCompletion(textCompletionToChat(native, 'p'))).toEqual({ ...native, object: 'text_completion' });
  });

  it('skip a bare role chunk and keep text and finish chunks', () => {
    const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk' as const, created: 1, model: 'm' };
    expect(chatChunkToTextChunk({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })).toBeUndefined();
    expect(chatChunkToTextChunk({ ...base, choices: [{ index: 0, delta: { content: 'a' }, finish_reason: null }] })?.choices[0]).toEqual({
      text: 'a',
      index: 0,
      logprobs: null,
      finish_reason: null,
    });
    expect(chatChunkToTextChunk({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })?.id).toBe('cmpl-x');
  });
});
