import { encode } from 'gpt-tokenizer/cjs/encoding/o200k_base';
import { estimateAnthropicInputTokens, IMAGE_TOKENS, PER_MESSAGE_TOKENS, PER_REQUEST_TOKENS, PER_TOOL_TOKENS } from './anthropic-token-estimate';

const o200k = (text: string) => encode(text).length;

describe('estimateAnthropicInputTokens', () => {
  test('counts a message as its o200k_base tokens plus the message and request framing', () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    expect(estimateAnthropicInputTokens({ model: 'm', messages: [{ role: 'user', content: text }] })).toBe(
      PER_REQUEST_TOKENS + PER_MESSAGE_TOKENS + o200k(text),
    );
  });

  test('counts the system prompt, as a string or as text blocks, as one more message', () => {
    const base = estimateAnthropicInputTokens({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
    const asString = estimateAnthropicInputTokens({ model: 'm', system: 'Be brief and kind', messages: [{ role: 'user', content: 'Hi' }] });
    const asBlocks = estimateAnthropicInputTokens({
      model: 'm',
      system: [{ type: 'text', text: 'Be brief and kind' }],
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(asString).toBe(base + PER_MESSAGE_TOKENS + o200k('Be brief and kind'));
    expect(asBlocks).toBe(asString);
  });

  test('counts tool_use inputs and tool_result contents as their JSON and text, images at a fixed cost', () => {
    const input = { city: 'Paris', unit: 'celsius' };
    const n = estimateAnthropicInputTokens({
      model: 'm',
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '18 degrees' }] },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
      ],
    });
    expect(n).toBe(PER_REQUEST_TOKENS + 2 * PER_MESSAGE_TOKENS + o200k('get_weather') + o200k(JSON.stringify(input)) + o200k('18 degrees') + IMAGE_TOKENS);
  });

  test('counts each tool definition: name, description and input schema, plus its framing', () => {
    const tool = { name: 'get_weather', description: 'Current weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };
    const without = estimateAnthropicInputTokens({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
    const withTool = estimateAnthropicInputTokens({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], tools: [tool] });
    expect(withTool - without).toBe(PER_TOOL_TOKENS + o200k('get_weather') + o200k('Current weather') + o200k(JSON.stringify(tool.input_schema)));
  });

  test('reads text that looks like a special token as plain text, never throwing', () => {
    expect(estimateAnthropicInputTokens({ model: 'm', messages: [{ role: 'user', content: 'a <|endoftext|> b' }] })).toBeGreaterThan(
      PER_REQUEST_TOKENS + PER_MESSAGE_TOKENS,
    );
  });

  test('grows with the prompt', () => {
    const count = (text: string) => estimateAnthropicInputTokens({ model: 'm', messages: [{ role: 'user', content: text }] });
    expect(count('hello '.repeat(100))).toBeGreaterThan(count('hello '.repeat(10)) + 80);
  });
});
