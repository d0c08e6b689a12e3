import type { ChatCompletionChunk } from '../providers/openai-types';
import type { ResponseFrame } from './response';
import { ChunksToResponseEvents, formatResponsesEvent } from './stream';

const frame: ResponseFrame = { id: 'resp_' + 'b'.repeat(32), createdAt: 1, model: 'fast', request: { model: 'fast', input: [] } };
const chunk = (delta: ChatCompletionChunk['choices'][0]['delta'], finish: ChatCompletionChunk['choices'][0]['finish_reason'] = null): ChatCompletionChunk => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish }],
});

function run(chunks: ChatCompletionChunk[]) {
  const t = new ChunksToResponseEvents(frame);
  const events = [...t.start(), ...chunks.flatMap((c) => t.push(c)), ...t.finish(2)];
  return events;
}

describe('ChunksToResponseEvents', () => {
  test('text tells the whole sequence, numbered from 0', () => {
    const events = run([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop')]);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[6]).toMatchObject({ text: 'Hello', item_id: `msg_${'b'.repeat(32)}_0`, output_index: 0, content_index: 0 });
    expect((events[9].response as { output: unknown[] }).output).toHaveLength(1);
  });

  test('reasoning, then text, then two tool calls with interleaved argument deltas', () => {
    const events = run([
      chunk({ reasoning_content: 'think' }),
      chunk({ content: 'ok' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'g', arguments: '{' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const types = events.map((e) => e.type);
    expect(types).toContain('response.reasoning_text.delta');
    expect(types).toContain('response.reasoning_text.done');
    const done = events.filter((e) => e.type === 'response.function_call_arguments.done');
    expect(done.map((e) => [e.output_index, e.name, e.arguments])).toEqual([
      [2, 'f', '{"a":1}'],
      [3, 'g', '{}'],
    ]);
    const final = events[events.length - 1].response as { output: { type: string; call_id?: string }[] };
    expect(final.output.map((o) => o.type)).toEqual(['reasoning', 'message', 'function_call', 'function_call']);
    expect(final.output[3].call_id).toBe('call_b');
  });

  test('an answer cut by the token limit ends with response.incomplete', () => {
    const events = run([chunk({ content: 'Once' }), chunk({}, 'length')]);
    expect(events[events.length - 1]).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
    });
  });

  test('a failure after the start is response.failed with what was produced and the error', () => {
    const t = new ChunksToResponseEvents(frame);
    t.start();
    t.push(chunk({ content: 'partial' }));
    const failed = t.fail({ code: 'upstream_stream_failed', message: 'cut' });
    expect(failed).toMatchObject({
      type: 'response.failed',
      sequence_number: 5,
      response: { status: 'failed', error: { code: 'upstream_stream_failed', message: 'cut' } },
    });
  });

  test('events are written with their event line, as OpenAI writes them', () => {
    expect(formatResponsesEvent({ type: 'response.created', sequence_number: 0 })).toBe(
      'event: response.created\ndata: {"type":"response.created","sequence_number":0}\n\n',
    );
  });

  test('reasoning is streamed as a summary when the client asked for one', () => {
    const t = new ChunksToResponseEvents({ ...frame, request: { model: 'fast', input: [], reasoning: { summary: 'auto' } } });
    const events = [...t.start(), ...t.push(chunk({ reasoning_content: 'why' })), ...t.push(chunk({ content: 'ok' })), ...t.finish(2)];
    expect(events.map((e) => e.type).slice(2, 7)).toEqual([
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
    ]);
    expect(events[4]).toMatchObject({ summary_index: 0, delta: 'why' });
    const final = events[events.length - 1].response as { output: unknown[] };
    expect(final.output[0]).toEqual({ type: 'reasoning', id: `rs_${'b'.repeat(32)}_0`, summary: [{ type: 'summary_text', text: 'why' }] });
  });
});
