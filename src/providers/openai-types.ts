/**
 * The OpenAI wire format, as far as the gateway needs to understand it. Every adapter translates to and from
 * these shapes; fields the gateway does not model travel along untouched (index signatures), so a new OpenAI
 * parameter is never silently dropped.
 */

export interface ChatContentPartText {
  type: 'text';
  text: string;
}
export interface ChatContentPartImage {
  type: 'image_url';
  image_url: { url: string; detail?: string };
}
export type ChatContentPart = ChatContentPartText | ChatContentPartImage | { type: string; [k: string]: unknown };

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  /** Provider payloads that belong to the call (Gemini's thought signature: `{ google: { thought_signature } }`). */
  extra_content?: Record<string, unknown>;
}

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
  content?: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  [k: string]: unknown;
}

export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean; [k: string]: unknown } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  seed?: number | null;
  tools?: ToolDefinition[];
  tool_choice?: 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };
  response_format?: { type: string; json_schema?: { name?: string; schema?: Record<string, unknown>; strict?: boolean } };
  user?: string;
  [k: string]: unknown;
}

/**
 * Token usage in OpenAI's shape, the one contract every adapter normalises to (docs/cost.md, "Usage fields by
 * provider"). `prompt_tokens` counts every prompt token: plain, read from the cache and written to it;
 * `completion_tokens` counts reasoning too.
 */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: {
    /** Prompt tokens read from the provider's cache (OpenAI's field). */
    cached_tokens?: number;
    /** Prompt tokens written to the provider's cache, every TTL (Switchyard's field; Anthropic's cache_creation_input_tokens). */
    cache_write_tokens?: number;
    /** The part of cache_write_tokens written with a 1-hour TTL (Anthropic's ephemeral_1h_input_tokens). */
    cache_write_1h_tokens?: number;
    [k: string]: unknown;
  };
  completion_tokens_details?: { reasoning_tokens?: number; [k: string]: unknown };
  /** The request's cost in USD, added by the cost-log plugin to a stream's final usage chunk. */
  cost_usd?: number;
  [k: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call' | null;

export interface ChatChoice {
  index: number;
  message: { role: 'assistant'; content: string | null; tool_calls?: ToolCall[]; refusal?: string | null; [k: string]: unknown };
  finish_reason: FinishReason;
  logprobs?: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatChoice[];
  usage?: Usage;
  system_fingerprint?: string | null;
  [k: string]: unknown;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
  extra_content?: Record<string, unknown>;
}

export interface ChunkChoice {
  index: number;
  delta: { role?: 'assistant'; content?: string | null; tool_calls?: ToolCallDelta[]; refusal?: string | null; [k: string]: unknown };
  finish_reason: FinishReason;
  logprobs?: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
  [k: string]: unknown;
}

export interface EmbeddingsRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  [k: string]: unknown;
}

export interface EmbeddingsResponse {
  object: 'list';
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}
