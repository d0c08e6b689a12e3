import { UpstreamFailure } from '../upstream/http-spec';
import { NativeEventRelay, nativeJsonResponse, nativeResponsesBody, responseToCompletion } from './native';
import type { ResponseFrame } from './response';
import type { ResponseObject } from './types';

const frame: ResponseFrame = {
  id: 'resp_' + 'c'.repeat(32),
  createdAt: 5,
  model: 'fast',
  request: { model: 'fast', input: [], previous_response_id: 'resp_prev', store: true },
};

describe('native Responses backends', () => {
  test('the body carries the whole conversation without the gateway’s ids and state fields, and asks the backend to store nothing', () => {
    const body = nativeResponsesBody(
      { model: 'fast', input: [], previous_response_id: 'resp_prev', fallbacks: ['b'], tools: [{ type: 'web_search' }] },
      [{ type: 'message', id: 'msg_x_0', role: 'user', content: 'hi' }],
      'gpt-4.1',
    );
    expect(body).toEqual({ model: 'gpt-4.1', input: [{ type: 'message', role: 'user', content: 'hi' }], tools: [{ type: 'web_search' }], store: false });
  });

  test('an answer keeps what the backend said, with the gateway’s id, model and state fields', () => {
    const r = nativeJsonResponse(
      {
        id: 'resp_up',
        object: 'response',
        model: 'gpt-4.1',
        created_at: 1,
        status: 'completed',
        store: false,
        output: [{ type: 'web_search_call', id: 'ws_1' }],
      },
      frame,
      'openai',
    );
    expect(r).toMatchObject({ id: frame.id, model: 'fast', created_at: 5, store: true, previous_response_id: 'resp_prev', status: 'completed' });
    expect(r.output).toEqual([{ type: 'web_search_call', id: `wsc_${'c'.repeat(32)}_0` }]);
  });

  test('an answer that is not a Response object fails the attempt', () => {
    expect(() => nativeJsonResponse({ choices: [] }, frame, 'openai')).toThrow(UpstreamFailure);
  });

  test('stream events are renumbered and carry the gateway’s ids; an error event fails the attempt', () => {
    const relay = new NativeEventRelay(frame, 'openai');
    const ev = (o: object) => ({ data: JSON.stringify(o) });
    const added = relay.push(ev({ type: 'response.output_item.added', sequence_number: 7, output_index: 0, item: { type: 'message', id: 'msg_up' } }))[0];
    const delta = relay.push(ev({ type: 'response.output_text.delta', sequence_number: 8, item_id: 'msg_up', output_index: 0, delta: 'x' }))[0];
    expect(added).toMatchObject({ sequence_number: 0, item: { id: `msg_${'c'.repeat(32)}_0` } });
    expect(delta).toMatchObject({ sequence_number: 1, item_id: `msg_${'c'.repeat(32)}_0` });
    expect(relay.done).toBe(false);
    relay.push(ev({ type: 'response.completed', response: { id: 'resp_up', object: 'response', output: [] } }));
    expect(relay.done).toBe(true);
    expect(() => new NativeEventRelay(frame, 'openai').push(ev({ type: 'error', code: 'server_error', message: 'boom' }))).toThrow(UpstreamFailure);
  });

  test('a native Response reads as a chat completion for plugins: text, calls, usage', () => {
    const c = responseToCompletion({
      id: 'r',
      created_at: 1,
      model: 'fast',
      status: 'completed',
      output: [
        { type: 'message', content: [{ type: 'output_text', text: 'hi' }] },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
      ],
      usage: {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 4 },
        output_tokens: 2,
        output_tokens_details: { reasoning_tokens: 1 },
        total_tokens: 12,
      },
    } as unknown as ResponseObject);
    expect(c.choices[0]).toMatchObject({ message: { content: 'hi', tool_calls: [{ id: 'c1' }] }, finish_reason: 'tool_calls' });
    expect(c.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, prompt_tokens_details: { cached_tokens: 4 } });
  });
});
