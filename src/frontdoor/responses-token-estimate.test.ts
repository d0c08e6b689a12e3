import { countTokens } from 'gpt-tokenizer/cjs/encoding/o200k_base';
import { estimateResponsesInputTokens, RESPONSES_IMAGE_TOKENS } from './responses-token-estimate';

describe('estimateResponsesInputTokens', () => {
  it('counts a string input with the o200k tokenizer plus the framing', () => {
    expect(estimateResponsesInputTokens({ input: 'Hello, world' })).toBe(3 + 4 + countTokens('Hello, world'));
  });

  it('counts instructions, every item kind, tools and a JSON schema', () => {
    const base = estimateResponsesInputTokens({ input: [] });
    const body = {
      instructions: 'Answer in French.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is in this picture?' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAAA' },
          ],
        },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"temp":21}' },
      ],
      tools: [
        { type: 'function', name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      ],
      text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object' } } },
    };
    const expected =
      base +
      4 +
      countTokens('Answer in French.') +
      4 +
      countTokens('What is in this picture?') +
      RESPONSES_IMAGE_TOKENS +
      4 +
      countTokens('get_weather') +
      countTokens('{"city":"Paris"}') +
      4 +
      countTokens('{"temp":21}') +
      8 +
      countTokens('get_weather') +
      countTokens('Weather of a city') +
      countTokens(JSON.stringify(body.tools[0].parameters)) +
      countTokens('{"type":"object"}');
    expect(estimateResponsesInputTokens(body)).toBe(expected);
  });

  it('adds the earlier turns of the conversation', () => {
    const earlier = [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Bonjour !' }] }];
    expect(estimateResponsesInputTokens({ input: 'Merci' }, earlier) - estimateResponsesInputTokens({ input: 'Merci' })).toBe(4 + countTokens('Bonjour !'));
  });

  it('reads special-token text as plain text instead of refusing it', () => {
    expect(estimateResponsesInputTokens({ input: '<|endoftext|>' })).toBeGreaterThan(7);
  });
});
