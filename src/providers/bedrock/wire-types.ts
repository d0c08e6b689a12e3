/**
 * AWS Bedrock Converse / ConverseStream wire shapes (the REST JSON protocol: blobs are base64 strings), as far as
 * the gateway writes or reads them. Bedrock rejects unknown fields, so requests are built from these only.
 */

export interface BedrockCachePoint {
  cachePoint: { type: 'default' };
}

export type BedrockImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';
export type BedrockDocumentFormat = 'pdf' | 'csv' | 'doc' | 'docx' | 'xls' | 'xlsx' | 'html' | 'txt' | 'md';

export interface BedrockToolResultContent {
  text?: string;
  json?: unknown;
  image?: { format: BedrockImageFormat; source: { bytes: string } };
}

/** One content block: exactly one member is set. */
export interface BedrockContentBlock {
  text?: string;
  image?: { format: BedrockImageFormat; source: { bytes: string } };
  document?: { format: BedrockDocumentFormat; name: string; source: { bytes: string } };
  toolUse?: { toolUseId: string; name: string; input: unknown };
  toolResult?: { toolUseId: string; content: BedrockToolResultContent[]; status?: 'success' | 'error' };
  reasoningContent?: { reasoningText?: { text: string; signature?: string }; redactedContent?: string };
  cachePoint?: { type: 'default' };
}

export interface BedrockMessage {
  role: 'user' | 'assistant';
  content: BedrockContentBlock[];
}

export type BedrockSystemBlock = { text: string } | BedrockCachePoint;

export interface BedrockToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } };
}

export type BedrockToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface BedrockConverseRequest {
  messages: BedrockMessage[];
  system?: BedrockSystemBlock[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: (BedrockToolSpec | BedrockCachePoint)[]; toolChoice?: BedrockToolChoice };
  /** Model-native parameters Converse does not model (Claude's `top_k`, `thinking`). */
  additionalModelRequestFields?: Record<string, unknown>;
  requestMetadata?: Record<string, string>;
}

export type BedrockStopReason =
  'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'guardrail_intervened' | 'content_filtered' | 'model_context_window_exceeded';

export interface BedrockUsage {
  /** Prompt tokens neither read from nor written to the prompt cache. */
  inputTokens: number;
  outputTokens: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface BedrockConverseResponse {
  output: { message?: BedrockMessage };
  stopReason: BedrockStopReason | string;
  usage: BedrockUsage;
  metrics?: { latencyMs: number };
  additionalModelResponseFields?: Record<string, unknown>;
}

/** The ConverseStream events, by their `:event-type` header; each payload is one of these members' values. */
export interface BedrockStreamEvents {
  messageStart: { role: 'assistant' };
  contentBlockStart: { contentBlockIndex: number; start?: { toolUse?: { toolUseId: string; name: string } } };
  contentBlockDelta: {
    contentBlockIndex: number;
    delta: { text?: string; toolUse?: { input: string }; reasoningContent?: { text?: string; signature?: string; redactedContent?: string } };
  };
  contentBlockStop: { contentBlockIndex: number };
  messageStop: { stopReason: BedrockStopReason | string; additionalModelResponseFields?: Record<string, unknown> };
  metadata: { usage?: BedrockUsage; metrics?: { latencyMs: number } };
}
