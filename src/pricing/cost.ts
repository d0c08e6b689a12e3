/**
 * Cost of one request from its real token usage. Prices are USD per 1M tokens, i.e. micro-dollars per token,
 * so the arithmetic is done in micro-dollars and rounded once.
 */
import type { Usage } from '../providers/openai-types';
import type { ModelPrice } from './price-table';

/** Token counts split by how they are billed. */
export interface BilledTokens {
  /** Prompt tokens billed at the plain input price. */
  input: number;
  /** Prompt tokens read from the provider's prompt cache. */
  cachedInput: number;
  /** Prompt tokens written to the provider's prompt cache. */
  cacheWrite: number;
  output: number;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Splits an OpenAI usage object into billed token classes. `prompt_tokens` includes cached tokens (OpenAI's
 * convention, which adapters follow); cache writes are read from `prompt_tokens_details.cache_write_tokens`
 * or Anthropic's `cache_creation_input_tokens` when an adapter passes them along.
 *
 * @example billedTokens({ prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050,
 *   prompt_tokens_details: { cached_tokens: 800 } }) // { input: 200, cachedInput: 800, cacheWrite: 0, output: 50 }
 */
export function billedTokens(usage: Usage): BilledTokens {
  const prompt = count(usage.prompt_tokens);
  const details = usage.prompt_tokens_details;
  const cachedInput = Math.min(prompt, count(details?.cached_tokens));
  const cacheWrite = Math.min(prompt - cachedInput, count(details?.cache_write_tokens ?? usage.cache_creation_input_tokens));
  return { input: prompt - cachedInput - cacheWrite, cachedInput, cacheWrite, output: count(usage.completion_tokens) };
}

/**
 * Cost in USD, rounded to the micro-dollar's thousandth (nano-dollar) so sums stay exact to the micro-dollar.
 *
 * @example costOfUsage({ input: 2.5, output: 10 }, { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 }) // 0.0045
 */
export function costOfUsage(price: ModelPrice, usage: Usage): number {
  const t = billedTokens(usage);
  const microDollars =
    t.input * price.input + t.cachedInput * (price.cached_input ?? price.input) + t.cacheWrite * (price.cache_write ?? price.input) + t.output * price.output;
  return roundUsd(microDollars / 1e6);
}

/** Rounds a USD amount to nano-dollars, removing binary floating-point noise. @example roundUsd(0.1 + 0.2) // 0.3 */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}
