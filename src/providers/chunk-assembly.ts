/**
 * Conversions between a stream of OpenAI chunks and one chat completion: `StreamAssembler` rebuilds the full
 * answer from chunks (for onComplete, caching and logs), `completionToChunks` turns a stored answer back into
 * a stream (a cache hit for a `stream: true` request).
 */
import { errors } from '../errors';
import type { ChatChoice, ChatCompletion, ChatCompletionChunk, FinishReason, ToolCall, Usage } from './openai-types';

/** Most choices one stream may carry (OpenAI caps `n` at 128). */
export const MAX_STREAM_CHOICES = 128;
/** Most tool calls one choice may carry. No real answer comes near it; a hostile one must not make it grow without end. */
export const MAX_STREAM_TOOL_CALLS = 128;
/**
 * Default cap on the text the assembler keeps per stream (content, tool names and arguments, all choices together),
 * in UTF-16 characters. The client gets every byte regardless; only the copy kept for onComplete, the cache and logs stops.
 */
export const DEFAULT_MAX_ASSEMBLED_CHARS = 1 << 20;

/**
 * The text kept by every stream assembler of the process together, against one limit
 * (`server.max_kept_stream_text_mb`). Per stream the cap above bounds one answer; this bounds them all, so 200
 * clients that stop reading (whose streams relay megabytes into socket buffers before backpressure holds them)
 * cannot hold 200 copies. Past it an assembler keeps nothing more and marks its answer `truncated`.
 *
 * @example const kept = new KeptTextBudget(); const granted = kept.take(100, 64 << 20); … kept.give(granted);
 */
export class KeptTextBudget {
  private used = 0;

  /** Takes up to `wanted` characters while the total stays within `limit`; returns how many it granted. */
  take(wanted: number, limit: number): number {
    const granted = Math.max(0, Math.min(wanted, limit - this.used));
    this.used += granted;
    return granted;
  }

  give(chars: number): void {
    this.used = Math.max(0, this.used - chars);
  }

  /** Characters kept right now, by every assembler. */
  get inUse(): number {
    return this.used;
  }
}

/** The process's one budget for kept stream text. */
export const keptStreamText = new KeptTextBudget();

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : `a ${typeof value}`;
}

/**
 * Checks an index from upstream data before anything is keyed by it: a small non-negative integer below `limit`.
 * Anything else (4294967294, -1, 1.5, "__proto__", "0") is refused, so no array goes sparse and no key reaches a prototype.
 *
 * @example streamIndex(tc.index, MAX_STREAM_TOOL_CALLS, 'tool_calls index') // 0, or throws errors.badUpstreamChunk
 */
export function streamIndex(value: unknown, limit: number, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < limit) return value;
  throw errors.badUpstreamChunk(`${what} must be an integer from 0 to ${limit - 1}, got ${describe(value)}`);
}

/**
 * Refuses a chunk whose choice or tool-call indexes are not small integers (see `streamIndex`), or whose
 * `choices` / `tool_calls` are not arrays of objects. Translators passing upstream indexes through call it, so the
 * refusal happens before the gateway commits to a target; the assembler calls it again for every chunk.
 *
 * @example checkStreamChunk(JSON.parse(event.data)) // throws a 502 `bad_upstream_stream` GatewayError for a hostile chunk
 */
export function checkStreamChunk(chunk: ChatCompletionChunk): void {
  if (!Array.isArray(chunk.choices)) throw errors.badUpstreamChunk('choices is not an array');
  for (const c of chunk.choices as unknown[]) {
    if (!c || typeof c !== 'object') throw errors.badUpstreamChunk('a choice is not an object');
    const choice = c as ChatCompletionChunk['choices'][number];
    streamIndex(choice.index, MAX_STREAM_CHOICES, 'choice index');
    const toolCalls: unknown = choice.delta?.tool_calls;
    if (toolCalls === undefined || toolCalls === null) continue;
    if (!Array.isArray(toolCalls)) throw errors.badUpstreamChunk('tool_calls is not an array');
    for (const tc of toolCalls as unknown[]) {
      if (!tc || typeof tc !== 'object') throw errors.badUpstreamChunk('a tool call is not an object');
      streamIndex((tc as { index?: unknown }).index, MAX_STREAM_TOOL_CALLS, 'tool_calls index');
    }
  }
}

interface ChoiceState {
  content: string;
  /** Reasoning text (`reasoning_content` deltas): not part of the assembled answer, kept for a cut stream's estimate. */
  reasoning: string;
  hasContent: boolean;
  /** Keyed by a checked index below MAX_STREAM_TOOL_CALLS. */
  toolCalls: Map<number, ToolCall>;
  finish: FinishReason;
}

/** What a stream assembled to; `truncated` when text past the assembler's cap was relayed but not kept. */
export interface AssembledStream {
  completion: ChatCompletion;
  truncated: boolean;
}

/**
 * Keeps what onComplete, the cost log and the cache need from a relayed stream: ids, usage, finish reasons,
 * tool calls and text up to `maxChars` (then it stops keeping text and says `truncated`). Memory stays bounded
 * whatever the upstream sends: indexes are checked (`checkStreamChunk`), and choices and tool calls are capped.
 *
 * @example
 * const a = new StreamAssembler();
 * for (const chunk of chunks) a.add(chunk);
 * const { completion, truncated } = a.result();
 */
export class StreamAssembler {
  private id = '';
  private model = '';
  private created = 0;
  private usage: Usage | undefined;
  private readonly choices = new Map<number, ChoiceState>();
  private keptChars = 0;
  /** Output characters relayed (content, reasoning, tool names and arguments), kept or not. */
  private relayedChars = 0;
  private cut = false;

  /**
   * @param maxChars   text kept for this stream at most
   * @param shared     the process-wide budget it also draws from, with its limit in characters; `release()` gives back
   */
  constructor(
    private readonly maxChars: number = DEFAULT_MAX_ASSEMBLED_CHARS,
    private readonly shared?: { budget: KeptTextBudget; limit: number },
  ) {}

  /** Gives this stream's kept text back to the shared budget (once the answer is done with). */
  release(): void {
    if (this.shared) this.shared.budget.give(this.keptChars);
    this.keptChars = 0;
  }

  /** Takes one chunk; throws errors.badUpstreamChunk (a 502) for a hostile one, before keeping any of it. */
  add(chunk: ChatCompletionChunk): void {
    checkStreamChunk(chunk);
    this.id ||= typeof chunk.id === 'string' ? chunk.id : '';
    this.model ||= typeof chunk.model === 'string' ? chunk.model : '';
    this.created ||= typeof chunk.created === 'number' ? chunk.created : 0;
    if (chunk.usage) this.usage = chunk.usage;
    for (const c of chunk.choices) {
      let s = this.choices.get(c.index);
      if (!s) {
        s = { content: '', reasoning: '', hasContent: false, toolCalls: new Map(), finish: null };
        this.choices.set(c.index, s);
      }
      if (typeof c.delta?.content === 'string') {
        this.relayedChars += c.delta.content.length;
        s.content += this.keep(c.delta.content);
        s.hasContent = true;
      }
      const reasoning = c.delta?.reasoning_content;
      if (typeof reasoning === 'string') {
        this.relayedChars += reasoning.length;
        s.reasoning += this.keep(reasoning);
      }
      for (const tc of c.delta?.tool_calls ?? []) {
        let call = s.toolCalls.get(tc.index);
        if (!call) {
          call = { id: '', type: 'function', function: { name: '', arguments: '' } };
          s.toolCalls.set(tc.index, call);
        }
        if (typeof tc.id === 'string' && tc.id && !call.id) call.id = this.keep(tc.id); // sent once; a repeat must not grow memory
        if (typeof tc.function?.name === 'string') {
          this.relayedChars += tc.function.name.length;
          call.function.name += this.keep(tc.function.name);
        }
        if (typeof tc.function?.arguments === 'string') {
          this.relayedChars += tc.function.arguments.length;
          call.function.arguments += this.keep(tc.function.arguments);
        }
      }
      if (c.finish_reason) s.finish = c.finish_reason;
    }
  }

  get usageSoFar(): Usage | undefined {
    return this.usage;
  }

  /**
   * The output relayed so far, for estimating the usage of a stream that ended before its usage chunk: the text
   * kept (content, reasoning, tool names and arguments) and how many relayed characters were not kept.
   *
   * @example const { text, uncountedChars, reasoningText } = assembler.relayed();
   */
  relayed(): { text: string; uncountedChars: number; reasoningText: string } {
    let text = '';
    let reasoningText = '';
    for (const s of this.choices.values()) {
      reasoningText += s.reasoning;
      text += s.content + s.reasoning;
      for (const call of s.toolCalls.values()) text += call.function.name + call.function.arguments;
    }
    return { text, uncountedChars: Math.max(0, this.relayedChars - text.length), reasoningText };
  }

  /** True once text past the cap was dropped: the assembled answer is not the answer the client got. */
  get truncated(): boolean {
    return this.cut;
  }

  result(): AssembledStream {
    const choices: ChatChoice[] = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, s]) => {
        const toolCalls = [...s.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
        return {
          index,
          message: {
            role: 'assistant',
            content: s.hasContent || toolCalls.length === 0 ? s.content : null,
            ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
          },
          finish_reason: s.finish,
          logprobs: null,
        };
      });
    const completion: ChatCompletion = {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices,
      ...(this.usage ? { usage: this.usage } : {}),
    };
    return { completion, truncated: this.cut };
  }

  /** The part of `text` that still fits under the cap. */
  private keep(text: string): string {
    if (this.cut || text.length === 0) return '';
    let room = Math.min(text.length, this.maxChars - this.keptChars);
    if (this.shared) room = this.shared.budget.take(room, this.shared.limit);
    this.keptChars += room;
    if (room === text.length) return text;
    this.cut = true;
    return room > 0 ? text.slice(0, room) : '';
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
      chunks.push({
        ...base,
        choices: [
          {
            index: choice.index,
            delta: { tool_calls: [{ index: i, id: tc.id, type: 'function', function: { name: tc.function.name, arguments: tc.function.arguments } }] },
            finish_reason: null,
          },
        ],
      });
    });
    chunks.push({ ...base, choices: [{ index: choice.index, delta: {}, finish_reason: choice.finish_reason ?? 'stop' }] });
  }
  if (opts.includeUsage && c.usage) chunks.push({ ...base, choices: [], usage: c.usage });
  return chunks;
}
