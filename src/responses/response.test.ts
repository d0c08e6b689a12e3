import type { ChatCompletion } from '../providers/openai-types';
import { completionToResponse, responsesUsage, type ResponseFrame } from './response';

const frame: ResponseFrame = {
  id: 'resp_' + 'a'.repeat(32),
  createdAt: 1_700_000_000,
  model: 'fast',
  request: { model: 'fast', input: [], instructions: 'Be brief', metadata: { t: '1' } },
};

const completion = (message: ChatCompletion['choices'][0]['message'], finish: ChatCompletion['choices'][0]['finish_reason'] = 'stop'): ChatCompletion => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message, finish_reason: finish }],
  usage: {
    prompt_tokens: 120,
    completion_tokens: 30,
    total_tokens: 150,
    prompt_tokens_details: { cached_tokens: 100 },
    completion_tokens_details: { reasoning_tokens: 10 },
  },
});

describe('completionToResponse', () => {
  test('reasoning, text and tool calls become output items in that order, with ids of this response', () => {
    const r = completionToResponse(
      completion(
        {
          role: 'assistant',
          content: 'Checking.',
          reasoning_content: 'hmm',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'w', arguments: '{}' } }],
        },
        'tool_calls',
      ),
      frame,
      1_700_000_005,
    );
    expect(r.output).toEqual([
      { type: 'reasoning', id: `rs_${'a'.repeat(32)}_0`, summary: [], content: [{ type: 'reasoning_text', text: 'hmm' }] },
      {
        type: 'message',
        id: `msg_${'a'.repeat(32)}_1`,
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Checking.', annotations: [], logprobs: [] }],
      },
      { type: 'function_call', id: `fc_${'a'.repeat(32)}_2`, call_id: 'call_1', name: 'w', arguments: '{}', status: 'completed' },
    ]);
    expect(r).toMatchObject({
      id: frame.id,
      object: 'response',
      status: 'completed',
      model: 'fast',
      instructions: 'Be brief',
      metadata: { t: '1' },
      completed_at: 1_700_000_005,
      store: true,
    });
  });

  test('an answer cut by the token limit is incomplete, saying why', () => {
    const r = completionToResponse(completion({ role: 'assistant', content: 'Once upon' }, 'length'), frame, 1);
    expect(r.status).toBe('incomplete');
    expect(r.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  test('usage keeps cached and reasoning tokens as parts of input and output', () => {
    expect(responsesUsage(completion({ role: 'assistant', content: '' }).usage)).toEqual({
      input_tokens: 120,
      input_tokens_details: { cached_tokens: 100 },
      output_tokens: 30,
      output_tokens_details: { reasoning_tokens: 10 },
      total_tokens: 150,
    });
  });
});
