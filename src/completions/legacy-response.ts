/**
 * Chat answers in the legacy completions shape: a `text_completion` object (JSON) and `text_completion` chunks
 * (stream). A native backend's own answer went through the reverse (native-adapter.ts) on its way in, with its
 * `logprobs` kept on the choice, so what it said reaches the client unchanged.
 */
import type { ChatCompletion, ChatCompletionChunk, FinishReason, Usage } from '../providers/openai-types';

export interface TextCompletionChoice {
  text: string;
  index: number;
  logprobs: unknown;
  finish_reason: FinishReason;
}

export interface TextCompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: TextCompletionChoice[];
  usage?: Usage | null;
  system_fingerprint?: string | null;
}

/** OpenAI's legacy ids start with "cmpl-". @example toCompletionId('chatcmpl-abc') // 'cmpl-abc' */
export function toCompletionId(id: string): string {
  return id.startsWith('cmpl-') ? id : `cmpl-${id.replace(/^chatcmpl-/, '')}`;
}

/**
 * @example chatToTextCompletion(completion).choices[0].text // 'Hello'
 */
export function chatToTextCompletion(completion: ChatCompletion): TextCompletion {
  const out: TextCompletion = {
    id: toCompletionId(completion.id),
    object: 'text_completion',
    created: completion.created,
    model: completion.model,
    choices: completion.choices.map((c) => ({
      text: typeof c.message.content === 'string' ? c.message.content : '',
      index: c.index,
      logprobs: c.logprobs ?? null,
      finish_reason: c.finish_reason,
    })),
  };
  if (completion.usage) out.usage = completion.usage;
  if (completion.system_fingerprint !== undefined) out.system_fingerprint = completion.system_fingerprint;
  return out;
}

/**
 * One chat chunk as a legacy chunk; undefined for a chunk that says nothing in that shape (a bare role delta).
 *
 * @example chatChunkToTextChunk(chunk)?.choices[0].text // 'Hel'
 */
export function chatChunkToTextChunk(chunk: ChatCompletionChunk): TextCompletion | undefined {
  const choices: TextCompletionChoice[] = [];
  for (const c of chunk.choices) {
    const text = typeof c.delta.content === 'string' ? c.delta.content : '';
    if (!text && !c.finish_reason && (c.logprobs === undefined || c.logprobs === null)) continue;
    choices.push({ text, index: c.index, logprobs: c.logprobs ?? null, finish_reason: c.finish_reason });
  }
  if (choices.length === 0 && !chunk.usage) return undefined;
  const out: TextCompletion = { id: toCompletionId(chunk.id), object: 'text_completion', created: chunk.created, model: chunk.model, choices };
  if (chunk.usage) out.usage = chunk.usage;
  return out;
}
