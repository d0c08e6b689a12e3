/**
 * Gemini generateContent response → OpenAI chat completion: candidates to choices, functionCall parts to
 * tool_calls with generated ids, finishReason to finish_reason, usageMetadata to usage.
 */
import type { ChatChoice, ChatCompletion, FinishReason, ToolCall, Usage } from '../openai-types';
import { signatureExtra, toolCallId } from './tool-call-ids';
import type { GeminiCandidate, GeminiResponse, GeminiUsageMetadata } from './wire-types';
import { ownValue } from '../own-value';

const FINISH_REASON_BY_GEMINI: Record<string, FinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  LANGUAGE: 'content_filter',
};

/**
 * A candidate that called functions finished because of them, whatever Gemini's finishReason says (it says STOP).
 *
 * @example toFinishReason('STOP', true) // 'tool_calls'
 */
export function toFinishReason(finishReason: string | undefined, calledFunctions: boolean): FinishReason {
  if (!finishReason || finishReason === 'FINISH_REASON_UNSPECIFIED') return null;
  if (calledFunctions && (finishReason === 'STOP' || finishReason === 'MAX_TOKENS')) return 'tool_calls';
  return ownValue(FINISH_REASON_BY_GEMINI, finishReason) ?? 'stop';
}

/**
 * Gemini's promptTokenCount already includes cached tokens; thinking tokens count as completion, as OpenAI
 * counts reasoning tokens.
 *
 * @example toOpenAIUsage({ promptTokenCount: 100, candidatesTokenCount: 20, thoughtsTokenCount: 30, cachedContentTokenCount: 60 })
 * // { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150, prompt_tokens_details: { cached_tokens: 60 },
 * //   completion_tokens_details: { reasoning_tokens: 30 } }
 */
export function toOpenAIUsage(meta: GeminiUsageMetadata): Usage {
  const prompt = (meta.promptTokenCount ?? 0) + (meta.toolUsePromptTokenCount ?? 0);
  const completion = (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0);
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: meta.cachedContentTokenCount ?? 0 },
  };
  if (meta.thoughtsTokenCount) usage.completion_tokens_details = { reasoning_tokens: meta.thoughtsTokenCount };
  return usage;
}

/** What one candidate (or one streamed piece of it) says, in OpenAI terms. */
export interface CandidateContent {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
}

/**
 * @param firstToolPosition numbers tool calls across the stream pieces of one candidate, so ids stay unique.
 * @example readCandidate({ content: { parts: [{ text: 'Hi' }] } }, 'resp-1') // { text: 'Hi', reasoning: '', toolCalls: [] }
 */
export function readCandidate(candidate: GeminiCandidate, responseId: string | undefined, firstToolPosition = 0): CandidateContent {
  const out: CandidateContent = { text: '', reasoning: '', toolCalls: [] };
  for (const part of candidate.content?.parts ?? []) {
    if (part.functionCall) {
      const position = `${candidate.index ?? 0}:${firstToolPosition + out.toolCalls.length}`;
      out.toolCalls.push({
        id: toolCallId({ responseId, position, name: part.functionCall.name, signature: part.thoughtSignature }),
        type: 'function',
        function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
        ...signatureExtra(part.thoughtSignature),
      });
    } else if (typeof part.text === 'string') {
      if (part.thought) out.reasoning += part.text;
      else out.text += part.text;
    }
  }
  return out;
}

/**
 * @example geminiResponseToCompletion(json, 'gemini-2.5-flash').choices[0].message.content
 */
export function geminiResponseToCompletion(res: GeminiResponse, model: string, now: number = Date.now()): ChatCompletion {
  const candidates = res.candidates ?? [];
  const choices: ChatChoice[] = candidates.map((candidate, position) => {
    const { text, reasoning, toolCalls } = readCandidate(candidate, res.responseId);
    const message: ChatChoice['message'] = { role: 'assistant', content: text || null };
    if (toolCalls.length) message.tool_calls = toolCalls;
    if (reasoning) message.reasoning_content = reasoning;
    return { index: candidate.index ?? position, message, finish_reason: toFinishReason(candidate.finishReason, toolCalls.length > 0), logprobs: null };
  });
  if (choices.length === 0) {
    // The prompt itself was blocked: Gemini answers 200 with promptFeedback and no candidates.
    choices.push({
      index: 0,
      message: { role: 'assistant', content: null },
      finish_reason: res.promptFeedback?.blockReason ? 'content_filter' : 'stop',
      logprobs: null,
    });
  }
  return {
    id: res.responseId ? `chatcmpl-${res.responseId}` : `chatcmpl-gemini-${now.toString(36)}`,
    object: 'chat.completion',
    created: Math.floor(now / 1000),
    model: res.modelVersion ?? model,
    choices,
    usage: toOpenAIUsage(res.usageMetadata ?? {}),
  };
}
