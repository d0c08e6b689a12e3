import { GatewayError } from '../errors';
import { validateResponsesRequest } from './validate';

function refusal(body: unknown): GatewayError {
  try {
    validateResponsesRequest(body);
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('validateResponsesRequest', () => {
  test('a string input becomes one user message item', () => {
    expect(validateResponsesRequest({ model: 'fast', input: 'Hi' }).input).toEqual([{ type: 'message', role: 'user', content: 'Hi' }]);
  });

  test('an item without a type but with a role is a message', () => {
    expect(validateResponsesRequest({ model: 'fast', input: [{ role: 'developer', content: 'x' }] }).input[0].type).toBe('message');
  });

  test('an unknown top-level field is refused by name, as OpenAI does', () => {
    expect(refusal({ model: 'fast', input: 'x', messages: [] })).toMatchObject({ status: 400, code: 'unknown_parameter', param: 'messages' });
  });

  test('a malformed content part is refused with its path', () => {
    const e = refusal({ model: 'fast', input: [{ role: 'user', content: [{ type: 'input_text', text: 'a' }, { type: 'input_audio' }] }] });
    expect(e).toMatchObject({ status: 400, param: 'input[0].content[1].type' });
  });

  test('a function_call_output needs its call_id', () => {
    expect(refusal({ model: 'fast', input: [{ type: 'function_call_output', output: 'x' }] }).param).toBe('input[0].call_id');
  });

  test('numbers out of range, bad enums and oversized metadata are refused', () => {
    expect(refusal({ model: 'fast', input: 'x', temperature: 3 }).param).toBe('temperature');
    expect(refusal({ model: 'fast', input: 'x', max_output_tokens: 0 }).param).toBe('max_output_tokens');
    expect(refusal({ model: 'fast', input: 'x', reasoning: { effort: 'max' } }).param).toBe('reasoning.effort');
    expect(refusal({ model: 'fast', input: 'x', text: { format: { type: 'json_schema', name: 'x' } } }).param).toBe('text.format.schema');
    expect(refusal({ model: 'fast', input: 'x', metadata: { k: 1 } }).param).toBe('metadata.k');
  });

  test('background mode and the Conversations API are refused clearly rather than ignored', () => {
    expect(refusal({ model: 'fast', input: 'x', background: true }).param).toBe('background');
    expect(refusal({ model: 'fast', input: 'x', conversation: 'conv_1' }).param).toBe('conversation');
  });

  test('input may be left out only when a previous response carries the conversation', () => {
    expect(refusal({ model: 'fast' }).param).toBe('input');
    expect(validateResponsesRequest({ model: 'fast', previous_response_id: 'resp_x' }).input).toEqual([]);
  });
});
