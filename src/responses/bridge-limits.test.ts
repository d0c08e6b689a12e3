import { bridgeRefusal } from './bridge-limits';
import type { ResponseItem, ResponsesRequest } from './types';

const user: ResponseItem = { type: 'message', role: 'user', content: 'hi' };
const req = (extra: Partial<ResponsesRequest> = {}): ResponsesRequest => ({ model: 'fast', input: [user], ...extra });

describe('bridgeRefusal: what Chat Completions backends cannot do', () => {
  test('a plain request with function tools is fine', () => {
    expect(bridgeRefusal(req({ tools: [{ type: 'function', name: 'f' }], tool_choice: { type: 'function', name: 'f' } }), [user], 0)).toBeUndefined();
  });

  test.each([
    [{ tools: [{ type: 'function', name: 'f' }, { type: 'file_search' }] }, 'tools[1].type'],
    [{ tool_choice: { type: 'web_search_preview' } }, 'tool_choice.type'],
    [{ include: ['reasoning.encrypted_content', 'file_search_call.results'] }, 'include[1]'],
    [{ truncation: 'auto' as const }, 'truncation'],
    [{ max_tool_calls: 2 }, 'max_tool_calls'],
    [{ top_logprobs: 3 }, 'top_logprobs'],
  ])('%j is refused naming %s', (extra, param) => {
    expect(bridgeRefusal(req(extra as Partial<ResponsesRequest>), [user], 0)).toMatchObject({ status: 400, code: 'unsupported_parameter', param });
  });

  test('a hosted tool item is named by its index in the client’s input, not in the whole conversation', () => {
    const history: ResponseItem[] = [user, { type: 'message', role: 'assistant', content: 'ok' }];
    const items = [...history, user, { type: 'computer_call_output', call_id: 'c' }];
    expect(bridgeRefusal(req(), items, history.length)?.param).toBe('input[1].type');
  });

  test('an image by file id is refused; by URL it is fine', () => {
    const byId: ResponseItem = { type: 'message', role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] };
    const byUrl: ResponseItem = { type: 'message', role: 'user', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] };
    expect(bridgeRefusal(req(), [byId], 0)?.param).toBe('input[0].content[0].file_id');
    expect(bridgeRefusal(req(), [byUrl], 0)).toBeUndefined();
  });
});
