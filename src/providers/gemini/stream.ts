/**
 * Gemini streamGenerateContent (`alt=sse`) events → OpenAI chunks. Each event is a whole
 * GenerateContentResponse holding the next piece of each candidate; function calls arrive complete, never split.
 */
import { MAX_STREAM_CHOICES, streamIndex } from '../chunk-assembly';
import type { ChatCompletionChunk, ChunkChoice, FinishReason, Usage } from '../openai-types';
import type { StreamTranslator } from '../types';
import type { SseEvent } from '../../upstream/http-spec';
import { UpstreamFailure } from '../../upstream/http-spec';
import { parseGeminiError } from './errors';
import { readCandidate, toFinishReason, toOpenAIUsage } from './response';
import type { GeminiResponse, GeminiUsageMetadata } from './wire-types';

interface CandidateProgress {
  toolCalls: number;
  finished: boolean;
}

/**
 * One instance per stream. Gemini has no end-of-stream event; the stream is done once every candidate has a
 * finishReason, and the last usageMetadata seen is the total.
 *
 * @example
 * const t = new GeminiStreamTranslator('Gemini', 'gemini-2.5-flash');
 * for (const ev of sseEvents) send(t.push(ev));
 */
export class GeminiStreamTranslator implements StreamTranslator {
  done = false;
  private id: string | undefined;
  private readonly created: number;
  private usage: GeminiUsageMetadata = {};
  private usageReported = false;
  private readonly progress = new Map<number, CandidateProgress>();

  constructor(
    private readonly providerLabel: string,
    private model: string,
    now: number = Date.now(),
  ) {
    this.created = Math.floor(now / 1000);
  }

  push(event: SseEvent): ChatCompletionChunk[] {
    let parsed: GeminiResponse & { error?: unknown };
    try {
      parsed = JSON.parse(event.data) as GeminiResponse & { error?: unknown };
    } catch {
      throw new UpstreamFailure({
        status: 502,
        type: 'upstream_error',
        code: 'bad_upstream_stream',
        retryable: true,
        message: `${this.providerLabel} sent an unreadable stream event.`,
      });
    }
    if (parsed.error !== undefined) {
      const status = typeof (parsed.error as { code?: unknown }).code === 'number' ? (parsed.error as { code: number }).code : 500;
      throw new UpstreamFailure(parseGeminiError(status, event.data, {}, this.providerLabel));
    }
    if (this.done) return [];
    this.id ??= parsed.responseId ? `chatcmpl-${parsed.responseId}` : `chatcmpl-gemini-${this.created.toString(36)}`;
    if (parsed.modelVersion) this.model = parsed.modelVersion;
    if (parsed.usageMetadata) {
      this.usage = parsed.usageMetadata;
      this.usageReported = true;
    }

    const chunks: ChatCompletionChunk[] = [];
    if (!parsed.candidates?.length && parsed.promptFeedback?.blockReason) {
      chunks.push(this.chunk(0, { role: 'assistant', content: '' }), this.chunk(0, {}, 'content_filter'));
      this.progress.set(0, { toolCalls: 0, finished: true });
    }
    (parsed.candidates ?? []).forEach((candidate, position) => {
      const index = streamIndex(candidate.index ?? position, MAX_STREAM_CHOICES, 'candidate index'); // becomes a choice index and a Map key
      let progress = this.progress.get(index);
      if (!progress) {
        progress = { toolCalls: 0, finished: false };
        this.progress.set(index, progress);
        chunks.push(this.chunk(index, { role: 'assistant', content: '' }));
      }
      const piece = readCandidate(candidate, parsed.responseId, progress.toolCalls);
      if (piece.reasoning) chunks.push(this.chunk(index, { reasoning_content: piece.reasoning }));
      if (piece.text) chunks.push(this.chunk(index, { content: piece.text }));
      if (piece.toolCalls.length) {
        chunks.push(
          this.chunk(index, {
            tool_calls: piece.toolCalls.map((call, i) => ({
              index: progress.toolCalls + i,
              id: call.id,
              type: 'function',
              function: call.function,
              ...(call.extra_content ? { extra_content: call.extra_content } : {}),
            })),
          }),
        );
        progress.toolCalls += piece.toolCalls.length;
      }
      if (candidate.finishReason) {
        progress.finished = true;
        chunks.push(this.chunk(index, {}, toFinishReason(candidate.finishReason, progress.toolCalls > 0)));
      }
    });

    if (this.progress.size > 0 && [...this.progress.values()].every((p) => p.finished)) {
      this.done = true;
      chunks.push({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: toOpenAIUsage(this.usage) });
    }
    return chunks;
  }

  /** The last usageMetadata seen (Gemini repeats the prompt count on every event), as OpenAI usage. */
  usageSoFar(): Usage | undefined {
    return this.usageReported ? toOpenAIUsage(this.usage) : undefined;
  }

  private chunk(index: number, delta: ChunkChoice['delta'], finishReason: FinishReason = null): ChatCompletionChunk {
    return {
      id: this.id ?? '',
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index, delta, finish_reason: finishReason, logprobs: null }],
    };
  }
}
