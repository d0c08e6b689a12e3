/**
 * Conversions between a stream of OpenAI chunks and one chat completion: `StreamAssembler` rebuilds the full
 * answer from chunks (for onComplete, caching and logs), `completionToChunks` turns a stored answer back into
 * a stream (a cache hit for a `stream: true` request).
 */
import type { ChatChoice, ChatCompletion, ChatCompletionChunk, FinishReason, ToolCall, Usage } from './openai-types';

interface ChoiceState {
  content: string;
  hasContent: boolean;
  toolCalls: ToolCall[];
  finish: FinishReason;
}

/**
 * @example
 * const a = new StreamAssembler();
 * for (const chunk of chunks) a.add(chunk);
 * const completion = a.result();
 */
export class StreamAssembler {
  private id = '';
  private model = '';
  private created = 0;
  private usage: Usage | undefined;
  private readonly choices = new Map<number, ChoiceState>();

  add(chunk: ChatCompletionChunk): void {
    this.id ||= chunk.id;
    this.model ||= chunk.model;
    this.created ||= chunk.created;
    if (chunk.usage) this.usage = chunk.usage;
    for (const c of chunk.choices ?? []) {
      let s = this.choices.get(c.index);
      if (!s) {
        s = { content: '', hasContent: false, toolCalls: [], finish: null };
        this.choices.set(c.index, s);
      }
      if (typeof c.delta?.content === 'string') {
        s.content += c.delta.content;
        s.hasContent = true;
      }
      for (const tc of c.delta?.tool_calls ?? []) {
        const existing = s.toolCalls[tc.index] ?? { id: '', type: 'function' as const, function: { name: '', arguments: '' } };
        if (tc.id) existing.id = tc.id;
        if (tc.function?.name) existing.function.name += tc.function.name;
        if (tc.function?.arguments) existing.function.arguments += tc.function.arguments;
        s.toolCalls[tc.index] = existing;
      }
      if (c.finish_reason) s.finish = c.finish_reason;
    }
  }

  get usageSoFar(): Usage | undefined {
    return this.usage;
  }

  result(): ChatCompletion {
    const choices: ChatChoice[] = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, s]) => ({
        index,
        message: { role: 'assistant', content: s.hasContent || s.toolCalls.length === 0 ? s.content : null, ...(s.toolCalls.length ? { tool_calls: s.toolCalls.filter(Boolean) } : {}) },
        finish_reason: s.finish,
        logprobs: null,
      }));
    return { id: this.id, object: 'chat.completion', created: this.created, model: this.model, choices, ...(this.usage ? { usage: this.usage } : {}) };
  }
}

/**
 * Replays a completion as stream chunks: role, content, tool calls, finish reason, then (optionally) usage.
 *
 * @example completionToChunks(cached, { includeUsage: true })
 */
export function completionToChunks(c: ChatCompletion, opts: { includeUsage: boolean }): ChatCompletionChunk[] {
  const base = { id: c.id, object: 'chat.completion.chunk' as const, created: c.created, model: c.model };
  const chunks: ChatCompletionChunk[] = [];
  for (const choice of c.choices) {
    chunks.push({ ...base, choices: [{ index: choice.index, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    if (choice.message.content) chunks.push({ ...base, choices: [{ index: choice.index, delta: { content: choice.message.content }, finish_reason: null }] });
    (choice.message.tool_calls ?? []).forEach((tc, i) => {
      chunks.push({ ...base, choices: [{ index: choice.index, delta: { tool_calls: [{ index: i, id: tc.id, type: 'function', function: { name: tc.function.name, arguments: tc.function.arguments } }] }, finish_reason: null }] });
    });
    chunks.push({ ...base, choices: [{ index: choice.index, delta: {}, finish_reason: choice.finish_reason ?? 'stop' }] });
  }
  if (opts.includeUsage && c.usage) chunks.push({ ...base, choices: [], usage: c.usage });
  return chunks;
}
