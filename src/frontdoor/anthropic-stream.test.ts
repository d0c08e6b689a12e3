import type { ChatCompletionChunk } from '../providers/openai-types';
import { ChunksToAnthropicEvents, formatSseEvent } from './anthropic-stream';

const chunk = (
  delta: ChatCompletionChunk['choices'][number]['delta'],
  finish: ChatCompletionChunk['choices'][number]['finish_reason'] = null,
): ChatCompletionChunk => ({
  id: 'chatcmpl-9',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta, finish_reason: finish }],
});

// What OpenAI streams for "text, then one tool call" with include_usage.
const OPENAI_CHUNKS: ChatCompletionChunk[] = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Let me ' }),
  chunk({ content: 'check.' }),
  chunk({ tool_calls: [{ index: 0, id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
  chunk({}, 'tool_calls'),
  {
    id: 'chatcmpl-9',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [],
    usage: { prompt_tokens: 50, completion_tokens: 12, total_tokens: 62, prompt_tokens_details: { cached_tokens: 10 } },
  },
];

describe('front door: OpenAI chunks → Anthropic stream events', () => {
  it('emits the Anthropic event sequence for text followed by a tool call', () => {
    const toEvents = new ChunksToAnthropicEvents('fast');
    const events = [...OPENAI_CHUNKS.flatMap((c) => toEvents.push(c)), ...toEvents.finish()];
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[0].data).toMatchObject({ type: 'message_start', message: { id: 'msg_9', model: 'fast', role: 'assistant', content: [] } });
    expect(events[5].data).toEqual({
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'call_abc', name: 'get_weather', input: {} },
    });
    const json = events
      .filter((e) => e.data.type === 'content_block_delta' && e.data.delta.type === 'input_json_delta')
      .map((e) => (e.data as { delta: { partial_json: string } }).delta.partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ city: 'Paris' });
    expect(events[9].data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: {
        input_tokens: 40,
        output_tokens: 12,
        cache_read_input_tokens: 10,
        cache_creation_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      },
    });
  });

  it('opens a block per parallel tool call and keeps late argument pieces on the right block', () => {
    const toEvents = new ChunksToAnthropicEvents('fast');
    const events = [
      chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
      chunk({}, 'tool_calls'),
    ].flatMap((c) => toEvents.push(c));
    const starts = events.filter((e) => e.data.type === 'content_block_start').map((e) => (e.data as { index: number }).index);
    expect(starts).toEqual([0, 1]);
    const late = events[events.length - 1].data as { index: number; delta: { partial_json: string } };
    expect([late.index, late.delta.partial_json]).toEqual([0, '1}']);
  });

  it('still produces a complete message for an empty stream', () => {
    const events = new ChunksToAnthropicEvents('fast', 'msg_empty').finish();
    expect(events.map((e) => e.event)).toEqual(['message_start', 'message_delta', 'message_stop']);
  });

  it('renders errors as an Anthropic error event and formats SSE lines', () => {
    const ev = new ChunksToAnthropicEvents('fast').error({ status: 503, message: 'All targets are overloaded' });
    expect(formatSseEvent(ev)).toBe('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"All targets are overloaded"}}\n\n');
  });
});
