/**
 * Usage from OpenAI-compatible vendors, brought to the one Usage contract. OpenAI and Azure already speak it
 * (`prompt_tokens_details.cached_tokens`, `completion_tokens_details.reasoning_tokens`); DeepSeek reports its
 * cache reads in its own `prompt_cache_hit_tokens` / `prompt_cache_miss_tokens` (hit + miss = prompt_tokens).
 */
import type { Usage } from './openai-types';

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * The usage with the vendor's own cache fields copied into the contract's, or undefined when it already
 * follows the contract (so an answer that needs nothing keeps its identity and is relayed as it came).
 * The vendor's fields stay too: a client that reads them finds them.
 *
 * @example normalisedOpenAIUsage({ prompt_tokens: 1234, completion_tokens: 5, total_tokens: 1239, prompt_cache_hit_tokens: 1000, prompt_cache_miss_tokens: 234 })
 * // { …, prompt_tokens_details: { cached_tokens: 1000 } }
 */
export function normalisedOpenAIUsage(usage: Usage | null | undefined): Usage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const hit = usage.prompt_cache_hit_tokens;
  if (!isCount(hit) || isCount(usage.prompt_tokens_details?.cached_tokens)) return undefined;
  return { ...usage, prompt_tokens_details: { ...usage.prompt_tokens_details, cached_tokens: hit } };
}
