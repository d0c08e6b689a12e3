/**
 * The Responses API's wire format (OpenAI's, as the Open Responses specification writes it down), as far as the
 * gateway reads and writes it: the create request, its input items, the Response object and its stream events.
 */
import type { ResponseItem } from './store/types';

export type { ResponseItem };

/** A function tool as the Responses API declares it (flat, unlike chat's `{ type, function: {…} }`). */
export interface ResponsesFunctionTool {
  type: 'function';
  name: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
}

/** Any tool: a function, or a hosted tool (web_search, file_search, code_interpreter, mcp…) only a native backend runs. */
export type ResponsesTool = ResponsesFunctionTool | { type: string; [k: string]: unknown };

export type ResponsesToolChoice = 'none' | 'auto' | 'required' | { type: string; name?: string; [k: string]: unknown };

/** `text.format`: plain text, JSON, or JSON matching a schema. */
export type ResponsesTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; description?: string; strict?: boolean | null };

/** The body of POST /v1/responses after validation (validate.ts). Unknown fields were refused there. */
export interface ResponsesRequest {
  model: string;
  /** Normalised: a string input became one user message item. */
  input: ResponseItem[];
  instructions?: string | null;
  tools?: ResponsesTool[];
  tool_choice?: ResponsesToolChoice;
  parallel_tool_calls?: boolean | null;
  text?: { format?: ResponsesTextFormat; verbosity?: string | null };
  reasoning?: { effort?: string | null; summary?: string | null; generate_summary?: string | null } | null;
  max_output_tokens?: number | null;
  max_tool_calls?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  top_logprobs?: number | null;
  metadata?: Record<string, string> | null;
  user?: string | null;
  safety_identifier?: string | null;
  prompt_cache_key?: string | null;
  service_tier?: string | null;
  store?: boolean | null;
  previous_response_id?: string | null;
  include?: string[] | null;
  truncation?: 'auto' | 'disabled' | null;
  stream?: boolean | null;
  stream_options?: Record<string, unknown> | null;
  background?: boolean | null;
  /** The gateway's own per-request fallbacks (stripped before anything goes upstream). */
  fallbacks?: string[];
}

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = 'completed' | 'incomplete' | 'failed' | 'in_progress';

/** The Response object (`object: "response"`), with every field the specification lists. */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  completed_at: number | null;
  status: ResponseStatus;
  incomplete_details: { reason: string } | null;
  error: { code: string; message: string } | null;
  model: string;
  output: ResponseItem[];
  usage: ResponsesUsage | null;
  previous_response_id: string | null;
  instructions: string | null;
  tools: ResponsesTool[];
  tool_choice: ResponsesToolChoice;
  truncation: 'auto' | 'disabled';
  parallel_tool_calls: boolean;
  text: { format: ResponsesTextFormat; verbosity?: string | null };
  top_p: number;
  temperature: number;
  presence_penalty: number;
  frequency_penalty: number;
  top_logprobs: number;
  reasoning: { effort: string | null; summary: string | null } | null;
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  store: boolean;
  background: boolean;
  service_tier: string;
  metadata: Record<string, string>;
  user: string | null;
  safety_identifier: string | null;
  prompt_cache_key: string | null;
  [k: string]: unknown;
}

/** One stream event; `sequence_number` is set by the writer as events leave, so every event in a stream is numbered once. */
export type ResponsesStreamEvent = { type: string; [k: string]: unknown };
