/**
 * Alibaba Cloud Model Studio (DashScope, compatible mode), the Qwen models. Thinking is switched with its own
 * `enable_thinking` and `thinking_budget` rather than OpenAI's `reasoning_effort`, which is mapped onto them. DashScope
 * thinks on streamed requests only (a non-streamed request with thinking on is refused with a 400), and its hybrid
 * Qwen3 models think by default: a non-streamed request is therefore sent with `enable_thinking: false`, and one
 * that asks for reasoning gets a clear 400 here rather than DashScope's. Reasoning text arrives in
 * `reasoning_content`, relayed as it came.
 */
import type { ChatRequest, Usage } from '../openai-types';
import { ownValue } from '../own-value';
import { UpstreamFailure } from '../../upstream/http-spec';
import type { OpenAIQuirks } from './quirks';

/** `reasoning_effort` → `thinking_budget` (tokens). Qwen3's largest budget is 38,912; `high` stays under it. */
const BUDGET: Readonly<Record<string, number>> = { low: 1024, medium: 4096, high: 16384 };

function mapThinking(body: ChatRequest, stream: boolean): ChatRequest {
  const effort = typeof body.reasoning_effort === 'string' ? body.reasoning_effort : undefined;
  if (effort === undefined) {
    if (stream || body.enable_thinking !== undefined) return body;
    return { ...body, enable_thinking: false };
  }
  const { reasoning_effort: _effort, ...rest } = body;
  const out: ChatRequest = { ...(rest as ChatRequest) };
  const thinking = effort !== 'none' && effort !== 'minimal';
  if (thinking && !stream) {
    throw new UpstreamFailure({
      status: 400,
      type: 'invalid_request_error',
      code: 'unsupported_parameter',
      message: 'Qwen models on DashScope reason only on streamed requests: send "stream": true, or leave out reasoning_effort.',
      retryable: false,
    });
  }
  out.enable_thinking ??= thinking;
  // The effort is the client's string: only the table's own entries are budgets ("__proto__" is not one).
  const budget = ownValue(BUDGET, effort);
  if (thinking && out.thinking_budget === undefined && budget !== undefined) out.thinking_budget = budget;
  return out;
}

/** Some compatible-mode answers count tokens under DashScope's native names; the contract's are filled from them. */
function normalisedUsage(usage: Usage | null | undefined): Usage | undefined {
  if (!usage || typeof usage !== 'object' || typeof usage.prompt_tokens === 'number') return undefined;
  const input = usage.input_tokens;
  const output = usage.output_tokens;
  if (typeof input !== 'number' || typeof output !== 'number') return undefined;
  return {
    ...usage,
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: typeof usage.total_tokens === 'number' ? usage.total_tokens : input + output,
  };
}

/** @example dashscopeQuirks.request!({ model: 'qwen3-max', messages, stream: true, reasoning_effort: 'low' }, call) // enable_thinking: true, thinking_budget: 1024 */
export const dashscopeQuirks: OpenAIQuirks = {
  request: (body, call) => mapThinking(body, call.stream),
  response(completion) {
    const usage = normalisedUsage(completion.usage);
    return usage ? { ...completion, usage } : completion;
  },
  chunk(chunk) {
    const usage = normalisedUsage(chunk.usage);
    return usage ? { ...chunk, usage } : chunk;
  },
};
