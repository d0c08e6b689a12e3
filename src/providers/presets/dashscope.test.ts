import type { ChatCompletion, ChatCompletionChunk } from '../openai-types';
import { dashscopeQuirks } from './dashscope';

const call = { provider: {} as never, model: 'qwen3-max', stream: true };

describe('DashScope quirks', () => {
  it("fills the usage contract from DashScope's native token names", () => {
    const completion = { id: 'x', object: 'chat.completion', created: 1, model: 'qwen3-max', choices: [], usage: { input_tokens: 12, output_tokens: 5 } };
    expect(dashscopeQuirks.response!(completion as unknown as ChatCompletion, call).usage).toMatchObject({
      prompt_tokens: 12,
      completion_tokens: 5,
      total_tokens: 17,
    });
    const chunk = {
      id: 'x',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'qwen3-max',
      choices: [],
      usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7 },
    };
    expect(dashscopeQuirks.chunk!(chunk as unknown as ChatCompletionChunk, call).usage).toMatchObject({
      prompt_tokens: 3,
      completion_tokens: 4,
      total_tokens: 7,
    });
  });

  it('leaves OpenAI-named usage alone', () => {
    const completion = {
      id: 'x',
      object: 'chat.completion',
      created: 1,
      model: 'q',
      choices: [],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    };
    expect(dashscopeQuirks.response!(completion as unknown as ChatCompletion, call)).toBe(completion);
  });

  it('maps reasoning_effort to enable_thinking and a budget on streams', () => {
    const body = dashscopeQuirks.request!({ model: 'qwen3-max', messages: [], stream: true, reasoning_effort: 'low' }, call);
    expect(body).toMatchObject({ enable_thinking: true, thinking_budget: 1024 });
    expect(body).not.toHaveProperty('reasoning_effort');
  });

  it("sends no thinking_budget for a reasoning_effort that names one of Object's own properties", () => {
    for (const effort of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const body = dashscopeQuirks.request!({ model: 'qwen3-max', messages: [], stream: true, reasoning_effort: effort as 'low' }, call);
      expect(JSON.parse(JSON.stringify(body))).toEqual({ model: 'qwen3-max', messages: [], stream: true, enable_thinking: true });
    }
  });
});
