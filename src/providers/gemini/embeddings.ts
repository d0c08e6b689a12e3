/**
 * OpenAI embeddings request ↔ Gemini `batchEmbedContents`: each input string becomes one embedContent request
 * (`dimensions` → `outputDimensionality`), each returned vector one OpenAI embedding. Gemini reports no token
 * usage for embeddings, so the count is estimated from the text (about four characters a token).
 */
import { untranslatableRequest } from '../upstream-error-info';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../openai-types';

/** Gemini's batchEmbedContents request. */
export interface GeminiBatchEmbedRequest {
  requests: { model: string; content: { parts: { text: string }[] }; outputDimensionality?: number }[];
}

/**
 * @example toGeminiEmbedRequest({ model: 'gemini-embedding-001', input: ['a', 'b'] })
 * // { requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] } }, …] }
 */
export function toGeminiEmbedRequest(body: EmbeddingsRequest): GeminiBatchEmbedRequest {
  const inputs = typeof body.input === 'string' ? [body.input] : body.input;
  if (!inputs.every((i): i is string => typeof i === 'string')) {
    throw untranslatableRequest('Gemini embeds text only: send `input` as a string or an array of strings, not token ids.');
  }
  const model = body.model.startsWith('models/') ? body.model : `models/${body.model}`;
  return {
    requests: inputs.map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(typeof body.dimensions === 'number' ? { outputDimensionality: body.dimensions } : {}),
    })),
  };
}

/** A float vector as OpenAI's base64 encoding: little-endian float32s. */
function toBase64(values: number[]): string {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString('base64');
}

/**
 * @example geminiEmbeddingsToOpenAI({ embeddings: [{ values: [0.1, 0.2] }] }, request).data[0].embedding // [0.1, 0.2]
 * @returns undefined when the answer holds no embeddings list
 */
export function geminiEmbeddingsToOpenAI(json: unknown, request: EmbeddingsRequest): EmbeddingsResponse | undefined {
  const list = (json as { embeddings?: unknown } | null)?.embeddings;
  if (!Array.isArray(list)) return undefined;
  const base64 = request.encoding_format === 'base64';
  const data = list.map((e: { values?: unknown }, index) => {
    const values = Array.isArray(e?.values) ? (e.values as number[]) : [];
    return { object: 'embedding' as const, index, embedding: base64 ? toBase64(values) : values };
  });
  const inputs = typeof request.input === 'string' ? [request.input] : (request.input as string[]);
  const tokens = inputs.reduce((n, text) => n + Math.max(1, Math.ceil(String(text).length / 4)), 0);
  return { object: 'list', data, model: request.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
