import { UpstreamFailure } from '../../upstream/http-spec';
import { upstreamCall } from '../../testing/upstream-call';
import type { ChatRequest } from '../openai-types';
import { geminiAdapter } from './index';
import { toGeminiRequest, toGeminiSchema } from './request';
import { toolCallId } from './tool-call-ids';

const provider = { dropParams: [] };

describe('gemini request translation', () => {
  it('posts to generateContent with x-goog-api-key, and to streamGenerateContent with alt=sse when streaming', () => {
    const body: ChatRequest = { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] };
    const plain = geminiAdapter.buildChatRequest(body, upstreamCall({ api: 'gemini', model: 'gemini-2.5-flash', apiKey: 'AIza-1' }));
    expect(plain.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent');
    expect(plain.headers).toMatchObject({ 'x-goog-api-key': 'AIza-1', 'content-type': 'application/json' });
    expect(plain.headers.authorization).toBeUndefined();
    const streamed = geminiAdapter.buildChatRequest(
      { ...body, stream: true },
      upstreamCall({ api: 'gemini', model: 'gemini-2.5-flash', stream: true, baseUrl: 'http://127.0.0.1:9/v1beta' }),
    );
    expect(streamed.url).toBe('http://127.0.0.1:9/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(JSON.parse(streamed.body ?? '{}').stream).toBeUndefined();
  });

  it('puts system messages in systemInstruction and renames assistant to model', () => {
    const out = toGeminiRequest(
      {
        model: 'g',
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Again' },
              { type: 'text', text: ' please' },
            ],
          },
        ],
      },
      provider,
    );
    expect(out.systemInstruction).toEqual({ parts: [{ text: 'Be terse.' }] });
    expect(out.contents).toEqual([
      { role: 'user', parts: [{ text: 'Hi' }] },
      { role: 'model', parts: [{ text: 'Hello.' }] },
      { role: 'user', parts: [{ text: 'Again' }, { text: ' please' }] },
    ]);
  });

  it('maps sampling parameters into generationConfig and sends nothing Gemini would reject', () => {
    const out = toGeminiRequest(
      {
        model: 'g',
        messages: [{ role: 'user', content: 'x' }],
        temperature: 0.3,
        top_p: 0.8,
        max_tokens: 100,
        stop: ['END', 'STOP'],
        seed: 42,
        n: 2,
        presence_penalty: 0.1,
        frequency_penalty: 0.2,
        logit_bias: { 1: 2 },
        user: 'u1',
        stream_options: { include_usage: true },
      },
      provider,
    );
    expect(out).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'x' }] }],
      generationConfig: {
        temperature: 0.3,
        topP: 0.8,
        maxOutputTokens: 100,
        stopSequences: ['END', 'STOP'],
        seed: 42,
        candidateCount: 2,
        presencePenalty: 0.1,
        frequencyPenalty: 0.2,
      },
    });
    expect(toGeminiRequest({ model: 'g', messages: [], max_tokens: 10, max_completion_tokens: 20 }, provider).generationConfig).toEqual({
      maxOutputTokens: 20,
    });
    expect(toGeminiRequest({ model: 'g', messages: [], temperature: 1 }, { dropParams: ['temperature'] }).generationConfig).toBeUndefined();
  });

  it('turns response_format json_schema into responseMimeType and a Gemini-compatible responseSchema', () => {
    const out = toGeminiRequest(
      {
        model: 'g',
        messages: [{ role: 'user', content: 'x' }],
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'city',
            strict: true,
            schema: {
              $schema: 'http://json-schema.org/draft-07/schema#',
              type: 'object',
              additionalProperties: false,
              properties: { name: { type: 'string' } },
              required: ['name'],
            },
          },
        },
      },
      provider,
    );
    expect(out.generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    });
    expect(toGeminiRequest({ model: 'g', messages: [], response_format: { type: 'json_object' } }, provider).generationConfig).toEqual({
      responseMimeType: 'application/json',
    });
  });

  it('cleans schemas only at schema positions, keeping a property that happens to be named "default"', () => {
    expect(
      toGeminiSchema({
        type: 'object',
        additionalProperties: false,
        properties: {
          default: { type: 'string', default: 'x' },
          list: { type: 'array', items: { type: 'object', additionalProperties: true, properties: {} } },
        },
      }),
    ).toEqual({ type: 'object', properties: { default: { type: 'string' }, list: { type: 'array', items: { type: 'object', properties: {} } } } });
  });

  it('declares tools as functionDeclarations and maps tool_choice to functionCallingConfig', () => {
    const tools: ChatRequest['tools'] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
        },
      },
      { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } },
    ];
    const base: ChatRequest = { model: 'g', messages: [{ role: 'user', content: 'x' }], tools };
    expect(toGeminiRequest(base, provider).tools).toEqual([
      {
        functionDeclarations: [
          { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
          { name: 'now' },
        ],
      },
    ]);
    expect(toGeminiRequest(base, provider).toolConfig).toBeUndefined();
    expect(toGeminiRequest({ ...base, tool_choice: 'none' }, provider).toolConfig).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(toGeminiRequest({ ...base, tool_choice: 'auto' }, provider).toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(toGeminiRequest({ ...base, tool_choice: 'required' }, provider).toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(toGeminiRequest({ ...base, tool_choice: { type: 'function', function: { name: 'now' } } }, provider).toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['now'] },
    });
  });

  it('turns tool calls into functionCall parts and tool results into one user turn of functionResponse parts', () => {
    const signedId = toolCallId({ responseId: 'r', position: '0:1', name: 'get_weather', signature: 'c2lnbmF0dXJl' });
    const out = toGeminiRequest(
      {
        model: 'g',
        messages: [
          { role: 'user', content: 'Paris and Rome?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: signedId, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_a', content: '{"temp_c":18}' },
          { role: 'tool', tool_call_id: signedId, content: 'sunny, 24C' },
        ],
      },
      provider,
    );
    expect(out.contents).toEqual([
      { role: 'user', parts: [{ text: 'Paris and Rome?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { name: 'get_weather', args: { city: 'Rome' } }, thoughtSignature: 'c2lnbmF0dXJl' },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { temp_c: 18 } } },
          { functionResponse: { name: 'get_weather', response: { content: 'sunny, 24C' } } },
        ],
      },
    ]);
  });

  it('sends images as inlineData for data URLs and fileData for links', () => {
    const out = toGeminiRequest(
      {
        model: 'g',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: 'data:image/webp;base64,UklGR' } },
              { type: 'image_url', image_url: { url: 'https://example.com/a.png?x=1' } },
            ],
          },
        ],
      },
      provider,
    );
    expect(out.contents[0].parts).toEqual([
      { inlineData: { mimeType: 'image/webp', data: 'UklGR' } },
      { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/a.png?x=1' } },
    ]);
  });

  it('rejects a tool result that answers no known call with a 400', () => {
    expect(() => toGeminiRequest({ model: 'g', messages: [{ role: 'tool', tool_call_id: 'nope', content: 'x' }] }, provider)).toThrow(UpstreamFailure);
  });

  it('forwards Gemini-native safetySettings when a client sends them on purpose', () => {
    const safetySettings = [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }];
    expect(toGeminiRequest({ model: 'g', messages: [], safetySettings }, provider).safetySettings).toEqual(safetySettings);
  });
});
