import { assembleChunks, translateTranscript } from '../../testing/stream-transcript';
import { upstreamCall } from '../../testing/upstream-call';
import { UpstreamFailure } from '../../upstream/http-spec';
import { anthropicAdapter } from './index';

const call = upstreamCall({ api: 'anthropic', model: 'claude-sonnet-4-5', stream: true });

// A full stream in the shape of the Messages streaming reference: text block, then a tool_use block whose input
// arrives as input_json_delta pieces, pings in between, cache reads in message_start usage.
const TOOL_USE_TRANSCRIPT = `event: message_start
data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2,"cache_read_input_tokens":1000,"cache_creation_input_tokens":0},"content":[],"stop_reason":null}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", let's check the weather."}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\":"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \\"San Francisco, CA\\", "}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"unit\\": \\"fahrenheit\\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

event: message_stop
data: {"type":"message_stop"}

`;

describe('anthropic stream translation', () => {
  it('turns a text-then-tool_use stream into content deltas, one tool call with valid JSON, tool_calls finish and usage', () => {
    const translator = anthropicAdapter.createStreamTranslator(call);
    const chunks = translateTranscript(translator, TOOL_USE_TRANSCRIPT);
    expect(translator.done).toBe(true);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: 'Okay' });
    expect(chunks.every((c) => c.id === 'msg_014p7gG3wDgGV9EUtLvnow3U' && c.object === 'chat.completion.chunk')).toBe(true);

    const assembled = assembleChunks(chunks);
    expect(assembled.content).toBe("Okay, let's check the weather.");
    expect(assembled.toolCalls).toHaveLength(1);
    expect(assembled.toolCalls[0]).toMatchObject({ id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', function: { name: 'get_weather' } });
    expect(JSON.parse(assembled.toolCalls[0].function.arguments)).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' });
    expect(assembled.finishReason).toBe('tool_calls');
    expect(assembled.usage).toEqual({
      prompt_tokens: 1472,
      completion_tokens: 89,
      total_tokens: 1561,
      prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 0, cache_write_1h_tokens: 0 },
    });
  });

  it('announces each tool call once with id, type and name, then sends only argument pieces', () => {
    const chunks = translateTranscript(anthropicAdapter.createStreamTranslator(call), TOOL_USE_TRANSCRIPT);
    const toolDeltas = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    expect(toolDeltas[0]).toEqual({ index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(toolDeltas.slice(1).every((d) => d.id === undefined && d.function?.name === undefined)).toBe(true);
    expect(toolDeltas.slice(1)).toHaveLength(3); // the empty partial_json is not forwarded
  });

  it('ends with a usage chunk that has no choices, like OpenAI with include_usage', () => {
    const chunks = translateTranscript(anthropicAdapter.createStreamTranslator(call), TOOL_USE_TRANSCRIPT);
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage?.completion_tokens).toBe(89);
  });

  it('numbers parallel tool calls from zero regardless of content-block index', () => {
    const transcript = [
      {
        type: 'message_start',
        message: {
          id: 'msg_p',
          type: 'message',
          role: 'assistant',
          model: 'claude',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 5, output_tokens: 1 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Two cities.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'abc' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":"Paris"}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_b', name: 'get_weather', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city":' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '"Rome"}' } },
      { type: 'content_block_stop', index: 2 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 40 } },
      { type: 'message_stop' },
    ]
      .map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`)
      .join('');
    const chunks = translateTranscript(anthropicAdapter.createStreamTranslator(call), transcript);
    const assembled = assembleChunks(chunks);
    expect(assembled.toolCalls.map((t) => [t.id, JSON.parse(t.function.arguments)])).toEqual([
      ['toolu_a', { city: 'Paris' }],
      ['toolu_b', { city: 'Rome' }],
    ]);
    expect(chunks.some((c) => c.choices[0]?.delta.reasoning_content === 'Two cities.')).toBe(true);
  });

  it.each([
    ['end_turn', 'stop'],
    ['max_tokens', 'length'],
    ['refusal', 'content_filter'],
  ])('finishes a stream that stopped with %s as %s', (stopReason, finish) => {
    const transcript = [
      {
        type: 'message_start',
        message: {
          id: 'msg_s',
          type: 'message',
          role: 'assistant',
          model: 'claude',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 5, output_tokens: 1 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 2 } },
      { type: 'message_stop' },
    ]
      .map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`)
      .join('');
    expect(assembleChunks(translateTranscript(anthropicAdapter.createStreamTranslator(call), transcript)).finishReason).toBe(finish);
  });

  it('throws a retryable 503 when Anthropic sends an overloaded error event mid-stream, before any chunk was produced', () => {
    const translator = anthropicAdapter.createStreamTranslator(call);
    const beforeError = translator.push({
      event: 'message_start',
      data: JSON.stringify({
        type: 'message_start',
        message: {
          id: 'm',
          type: 'message',
          role: 'assistant',
          model: 'c',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 1, output_tokens: 1 },
        },
      }),
    });
    expect(beforeError).toEqual([]); // so the gateway has not committed and can still fail over
    let failure: UpstreamFailure | undefined;
    try {
      translator.push({ event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' });
    } catch (e) {
      failure = e as UpstreamFailure;
    }
    expect(failure).toBeInstanceOf(UpstreamFailure);
    expect(failure?.info).toMatchObject({ status: 503, retryable: true, message: 'Overloaded' });
    expect(translator.done).toBe(false);
  });

  it('treats an unreadable event as a retryable upstream failure', () => {
    expect(() => anthropicAdapter.createStreamTranslator(call).push({ data: '{not json' })).toThrow(UpstreamFailure);
  });
});

describe('anthropic stream usage before the end', () => {
  it('reports message_start’s input and cache counts (TTL split included) before message_delta, for a cut stream', () => {
    const t = anthropicAdapter.createStreamTranslator(call);
    expect(t.usageSoFar?.()).toBeUndefined();
    t.push({
      data: JSON.stringify({
        type: 'message_start',
        message: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: 100,
            output_tokens: 1,
            cache_read_input_tokens: 500,
            cache_creation_input_tokens: 1000,
            cache_creation: { ephemeral_5m_input_tokens: 600, ephemeral_1h_input_tokens: 400 },
          },
        },
      }),
    });
    expect(t.usageSoFar?.()).toEqual({
      prompt_tokens: 1600,
      completion_tokens: 1,
      total_tokens: 1601,
      prompt_tokens_details: { cached_tokens: 500, cache_write_tokens: 1000, cache_write_1h_tokens: 400 },
    });
    t.push({ data: JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 42 } }) });
    expect(t.usageSoFar?.()?.completion_tokens).toBe(42);
  });
});
