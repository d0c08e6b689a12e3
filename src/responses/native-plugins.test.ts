import type { ChatCompletionChunk } from '../providers/openai-types';
import { responseToCompletion } from './native';
import { NativeStreamChunks, withCompletionChanges } from './native-plugins';
import { responseShell } from './response';
import type { ResponseObject, ResponsesStreamEvent } from './types';

const frame = { id: 'resp_1', createdAt: 1, request: { model: 'm', input: [] }, model: 'm' };

describe('native Responses and the plugins’ chat view', () => {
  test('changed tool-call arguments go back into the function_call items, hosted items untouched', () => {
    const response: ResponseObject = {
      ...responseShell(frame, 'completed'),
      output: [
        { type: 'web_search_call', id: 'ws_1', status: 'completed' },
        { type: 'function_call', id: 'fc_1', call_id: 'c1', name: 'f', arguments: '{"a":1}', status: 'completed' },
      ],
    };
    const before = responseToCompletion(response);
    const after = structuredClone(before);
    after.choices[0].message.tool_calls![0].function.arguments = '{"a":2}';
    const out = withCompletionChanges(response, before, after);
    expect(out.output[1].arguments).toBe('{"a":2}');
    expect(out.output[0]).toBe(response.output[0]);
    expect(withCompletionChanges(response, before, before)).toBe(response);
  });

  test('argument deltas are shown as tool_calls chunks, and the done event carries what the client was sent', () => {
    const view = new NativeStreamChunks('resp_1', 'm', (chunk: ChatCompletionChunk) => {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      if (!call?.function?.arguments) return chunk;
      return {
        ...chunk,
        choices: [{ ...chunk.choices[0], delta: { tool_calls: [{ ...call, function: { arguments: call.function.arguments.replace('1', '9') } }] } }],
      };
    });
    const events: ResponsesStreamEvent[] = [
      { type: 'response.output_item.added', output_index: 0, item: { type: 'function_call', id: 'fc_1', call_id: 'c1', name: 'f', arguments: '' } },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 0, delta: '{"a":1}' },
      { type: 'response.function_call_arguments.done', item_id: 'fc_1', output_index: 0, arguments: '{"a":1}' },
    ];
    const out = events.map((ev) => view.pass(ev)!);
    expect(out[1].delta).toBe('{"a":9}');
    expect(out[2].arguments).toBe('{"a":9}');
    expect(out.map((ev) => ev.sequence_number)).toEqual([0, 1, 2]);
  });
});
