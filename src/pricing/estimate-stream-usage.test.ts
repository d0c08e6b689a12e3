import { encode } from 'gpt-tokenizer/cjs/encoding/o200k_base';
import { promptTokensOf, relayedOutputTokens, textTokens, unfinishedStreamUsage } from './estimate-stream-usage';
import type { ChatRequest } from '../providers/openai-types';

const body: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'What is the capital of France?' }] };

describe('usage of a stream that ended early', () => {
  it('counts text with the o200k_base tokenizer, special-token text included as plain text', () => {
    expect(textTokens('Paris is the capital of France.')).toBe(encode('Paris is the capital of France.').length);
    expect(textTokens('<|endoftext|>')).toBeGreaterThan(0);
    expect(textTokens('')).toBe(0);
  });

  it('estimates the prompt from the messages and their framing when the provider reported nothing', () => {
    expect(promptTokensOf(body)).toBe(3 + 4 + encode('What is the capital of France?').length);
    const usage = unfinishedStreamUsage(undefined, { text: 'Paris', uncountedChars: 0, reasoningText: '' }, body);
    expect(usage).toEqual({ prompt_tokens: promptTokensOf(body), completion_tokens: 1, total_tokens: promptTokensOf(body) + 1 });
  });

  it('keeps what the provider reported (cache split included) and raises its output count to what was relayed', () => {
    const reported = {
      prompt_tokens: 3100,
      completion_tokens: 1,
      total_tokens: 3101,
      prompt_tokens_details: { cached_tokens: 2000, cache_write_tokens: 1000 },
    };
    const relayed = { text: 'The capital of France is Paris.', uncountedChars: 0, reasoningText: '' };
    const usage = unfinishedStreamUsage(reported, relayed, body);
    expect(usage.prompt_tokens_details).toEqual(reported.prompt_tokens_details);
    expect(usage.completion_tokens).toBe(encode(relayed.text).length);
    expect(usage.total_tokens).toBe(3100 + usage.completion_tokens);
  });

  it('never lowers an output count the provider already reported', () => {
    const usage = unfinishedStreamUsage(
      { prompt_tokens: 10, completion_tokens: 500, total_tokens: 510 },
      { text: 'hi', uncountedChars: 0, reasoningText: '' },
      body,
    );
    expect(usage.completion_tokens).toBe(500);
  });

  it('counts text past the assembler cap at four characters a token, and reports relayed reasoning', () => {
    expect(relayedOutputTokens({ text: '', uncountedChars: 4001, reasoningText: '' })).toBe(1001);
    const usage = unfinishedStreamUsage(undefined, { text: 'Let me think. Paris', uncountedChars: 0, reasoningText: 'Let me think.' }, body);
    expect(usage.completion_tokens_details).toEqual({ reasoning_tokens: encode('Let me think.').length });
  });
});
