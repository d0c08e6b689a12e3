import { assembleChunks, translateTranscript } from '../../testing/stream-transcript';
import { upstreamCall } from '../../testing/upstream-call';
import { UpstreamFailure } from '../../upstream/http-spec';
import { geminiAdapter } from './index';

const call = upstreamCall({ api: 'gemini', model: 'gemini-2.5-flash', stream: true });

// streamGenerateContent?alt=sse as documented: every event a whole GenerateContentResponse, CRLF-delimited,
// no event names and no end marker; the last event carries finishReason and the final usageMetadata.
const TEXT_TRANSCRIPT = [
  {
    candidates: [{ content: { parts: [{ text: 'The' }], role: 'model' }, index: 0 }],
    usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 1, totalTokenCount: 9 },
    modelVersion: 'gemini-2.5-flash',
    responseId: 'r-text',
  },
  {
    candidates: [{ content: { parts: [{ text: ' sky is blue.' }], role: 'model' }, index: 0 }],
    usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 5, totalTokenCount: 13 },
    modelVersion: 'gemini-2.5-flash',
    responseId: 'r-text',
  },
  {
    candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 5, totalTokenCount: 13, cachedContentTokenCount: 4 },
    modelVersion: 'gemini-2.5-flash',
    responseId: 'r-text',
  },
]
  .map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`)
  .join('');

const TOOL_TRANSCRIPT = [
  { candidates: [{ content: { parts: [{ text: 'Let me check.' }], role: 'model' }, index: 0 }], responseId: 'r-tool', modelVersion: 'gemini-2.5-flash' },
  {
    candidates: [
      {
        content: { parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } }, thoughtSignature: 'CikBVKhc' }], role: 'model' },
        index: 0,
      },
    ],
    responseId: 'r-tool',
  },
  {
    candidates: [{ content: { parts: [{ functionCall: { name: 'get_time', args: {} } }], role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 70, candidatesTokenCount: 20, thoughtsTokenCount: 10, totalTokenCount: 100 },
    responseId: 'r-tool',
  },
]
  .map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`)
  .join('');

describe('gemini stream translation', () => {
  it('streams text as content deltas and finishes with stop and a usage chunk', () => {
    const translator = geminiAdapter.createStreamTranslator(call);
    const chunks = translateTranscript(translator, TEXT_TRANSCRIPT);
    expect(translator.done).toBe(true);
    expect(chunks[0]).toMatchObject({
      id: 'chatcmpl-r-text',
      object: 'chat.completion.chunk',
      model: 'gemini-2.5-flash',
      choices: [{ index: 0, delta: { role: 'assistant', content: '' } }],
    });
    const assembled = assembleChunks(chunks);
    expect(assembled.content).toBe('The sky is blue.');
    expect(assembled.finishReason).toBe('stop');
    expect(assembled.usage).toEqual({ prompt_tokens: 8, completion_tokens: 5, total_tokens: 13, prompt_tokens_details: { cached_tokens: 4 } });
    expect(chunks[chunks.length - 1].choices).toEqual([]);
  });

  it('streams function calls as indexed tool_calls deltas with ids and complete JSON arguments', () => {
    const chunks = translateTranscript(geminiAdapter.createStreamTranslator(call), TOOL_TRANSCRIPT);
    const assembled = assembleChunks(chunks);
    expect(assembled.content).toBe('Let me check.');
    expect(assembled.finishReason).toBe('tool_calls');
    expect(assembled.toolCalls.map((t) => [t.function.name, JSON.parse(t.function.arguments)])).toEqual([
      ['get_weather', { city: 'Paris', unit: 'celsius' }],
      ['get_time', {}],
    ]);
    expect(assembled.toolCalls.every((t) => t.id.startsWith('call_'))).toBe(true);
    expect(assembled.toolCalls[0].id).not.toBe(assembled.toolCalls[1].id);
    const deltas = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    expect(deltas.map((d) => d.index)).toEqual([0, 1]);
    expect(deltas.every((d) => d.type === 'function' && d.id)).toBe(true);
    expect(assembled.usage).toMatchObject({ prompt_tokens: 70, completion_tokens: 30, completion_tokens_details: { reasoning_tokens: 10 } });
  });

  it('throws a retryable 429 for a RESOURCE_EXHAUSTED error event mid-stream', () => {
    const translator = geminiAdapter.createStreamTranslator(call);
    translator.push({ data: JSON.stringify({ candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' }, index: 0 }] }) });
    let failure: UpstreamFailure | undefined;
    try {
      translator.push({
        data: JSON.stringify({ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } }),
      });
    } catch (e) {
      failure = e as UpstreamFailure;
    }
    expect(failure?.info).toMatchObject({ status: 429, retryable: true });
  });

  it('finishes a stream whose prompt was blocked with content_filter', () => {
    const chunks = translateTranscript(
      geminiAdapter.createStreamTranslator(call),
      `data: ${JSON.stringify({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 3, totalTokenCount: 3 } })}\r\n\r\n`,
    );
    expect(assembleChunks(chunks).finishReason).toBe('content_filter');
  });

  it('keeps candidates apart when n > 1', () => {
    const transcript = [
      {
        candidates: [
          { content: { parts: [{ text: 'A' }], role: 'model' }, index: 0 },
          { content: { parts: [{ text: 'B' }], role: 'model' }, index: 1 },
        ],
      },
      {
        candidates: [
          { content: { parts: [{ text: '!' }], role: 'model' }, finishReason: 'STOP', index: 0 },
          { content: { parts: [{ text: '?' }], role: 'model' }, finishReason: 'STOP', index: 1 },
        ],
      },
    ]
      .map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`)
      .join('');
    const chunks = translateTranscript(geminiAdapter.createStreamTranslator(call), transcript);
    const text = (i: number) => chunks.flatMap((c) => c.choices.filter((ch) => ch.index === i).map((ch) => ch.delta.content ?? '')).join('');
    expect([text(0), text(1)]).toEqual(['A!', 'B?']);
  });
});
