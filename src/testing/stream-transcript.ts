/**
 * Runs a recorded SSE transcript through a StreamTranslator and assembles the chunks the way the OpenAI SDK
 * does, so adapter tests can assert on what a client finally sees.
 */
import type { ChatCompletionChunk, FinishReason, ToolCall, Usage } from '../providers/openai-types';
import type { StreamTranslator } from '../providers/types';
import { SseParser } from '../upstream/sse';

/**
 * @example translateTranscript(new AnthropicStreamTranslator('Anthropic'), 'event: ping\ndata: {"type":"ping"}\n\n')
 */
export function translateTranscript(translator: StreamTranslator, sseText: string): ChatCompletionChunk[] {
  const parser = new SseParser();
  const chunks: ChatCompletionChunk[] = [];
  for (const ev of [...parser.push(sseText), ...parser.flush()]) chunks.push(...translator.push(ev));
  return chunks;
}

export interface AssembledMessage {
  content: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage?: Usage | null;
}

/**
 * Concatenates content and tool-call argument deltas by tool index, as OpenAI clients do.
 *
 * @example assembleChunks(chunks).toolCalls[0].function.arguments // '{"city":"Paris"}'
 */
export function assembleChunks(chunks: ChatCompletionChunk[]): AssembledMessage {
  const out: AssembledMessage = { content: '', toolCalls: [], finishReason: null };
  for (const chunk of chunks) {
    if (chunk.usage) out.usage = chunk.usage;
    for (const choice of chunk.choices) {
      if (typeof choice.delta.content === 'string') out.content += choice.delta.content;
      for (const d of choice.delta.tool_calls ?? []) {
        const call = (out.toolCalls[d.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (d.id) call.id = d.id;
        if (d.function?.name) call.function.name += d.function.name;
        if (d.function?.arguments) call.function.arguments += d.function.arguments;
      }
      if (choice.finish_reason) out.finishReason = choice.finish_reason;
    }
  }
  return out;
}
