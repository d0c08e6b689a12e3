/**
 * Cost of one request from its real token usage, in whole pico-dollars. Prices are USD per 1M tokens with at
 * most six decimals, i.e. whole pico-dollars per token, so the bill is an exact integer: no rounding anywhere.
 */
import type { Usage } from '../providers/openai-types';
import { pricePerTokenPico, picoToUsd } from './money';
import type { ModelPrice, PriceTier } from './price-table';

/** Token counts split by how they are billed. */
export interface BilledTokens {
  /** Prompt tokens billed at the plain input price. */
  input: number;
  /** Prompt tokens read from the provider's prompt cache. */
  cachedInput: number;
  /** Prompt tokens written to the provider's prompt cache with the default (5-minute) TTL. */
  cacheWrite: number;
  /** Prompt tokens written to the provider's prompt cache with a 1-hour TTL (Anthropic). */
  cacheWrite1h: number;
  /** Completion tokens, reasoning included (OpenAI counts reasoning inside completion_tokens; adapters follow). */
  output: number;
  /** The part of `output` that was reasoning / thinking (billed as output; reported for the record). */
  reasoning: number;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/**
 * Splits an OpenAI usage object into billed token classes. `prompt_tokens` includes cache reads and cache
 * writes (the contract every adapter follows); reads are `prompt_tokens_details.cached_tokens`, writes
 * `prompt_tokens_details.cache_write_tokens` (or Anthropic's `cache_creation_input_tokens` when passed along
 * unchanged), and the part of the writes with a 1-hour TTL `prompt_tokens_details.cache_write_1h_tokens`.
 * A detail larger than what contains it is clamped, so no class is ever negative.
 *
 * @example billedTokens({ prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050,
 *   prompt_tokens_details: { cached_tokens: 800 } }) // { input: 200, cachedInput: 800, cacheWrite: 0, cacheWrite1h: 0, output: 50, reasoning: 0 }
 */
export function billedTokens(usage: Usage): BilledTokens {
  const prompt = count(usage.prompt_tokens);
  const details = usage.prompt_tokens_details;
  const cachedInput = Math.min(prompt, count(details?.cached_tokens));
  const writes = Math.min(prompt - cachedInput, count(details?.cache_write_tokens ?? usage.cache_creation_input_tokens));
  const cacheWrite1h = Math.min(writes, count(details?.cache_write_1h_tokens));
  const output = count(usage.completion_tokens);
  return {
    input: prompt - cachedInput - writes,
    cachedInput,
    cacheWrite: writes - cacheWrite1h,
    cacheWrite1h,
    output,
    reasoning: Math.min(output, count(usage.completion_tokens_details?.reasoning_tokens)),
  };
}

/** The long-context tier a prompt of `promptTokens` falls in: the highest `above_tokens` it exceeds. */
function tierFor(price: ModelPrice, promptTokens: number): PriceTier | undefined {
  let chosen: PriceTier | undefined;
  for (const tier of price.tiers ?? []) {
    if (promptTokens > tier.above_tokens && (!chosen || tier.above_tokens > chosen.above_tokens)) chosen = tier;
  }
  return chosen;
}

/**
 * Cost of a request in whole pico-dollars. A price that has long-context `tiers` bills every token of a request
 * whose whole prompt (plain + cache reads + cache writes) exceeds a tier's `above_tokens` at that tier's prices,
 * as Anthropic and Google bill. Absent prices fall back: cache reads and 5-minute writes to the input price,
 * 1-hour writes to the 5-minute write price (the catalog carries Anthropic's 2× input figure).
 *
 * @example costPico({ input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 }, { prompt_tokens: 3100,
 *   completion_tokens: 200, total_tokens: 3300, prompt_tokens_details: { cached_tokens: 2000, cache_write_tokens: 1000 } })
 * // 7_650_000_000 ($0.00765)
 */
export function costPico(price: ModelPrice, usage: Usage): number {
  const t = billedTokens(usage);
  const p: PriceTier | ModelPrice = tierFor(price, t.input + t.cachedInput + t.cacheWrite + t.cacheWrite1h) ?? price;
  const input = pricePerTokenPico(p.input);
  const cacheWrite = p.cache_write === undefined ? input : pricePerTokenPico(p.cache_write);
  return (
    t.input * input +
    t.cachedInput * (p.cached_input === undefined ? input : pricePerTokenPico(p.cached_input)) +
    t.cacheWrite * cacheWrite +
    t.cacheWrite1h * (p.cache_write_1h === undefined ? cacheWrite : pricePerTokenPico(p.cache_write_1h)) +
    t.output * pricePerTokenPico(p.output)
  );
}

/**
 * Cost in USD: `costPico` shown as a float, for callers that still speak USD (log lines, headers).
 *
 * @example costOfUsage({ input: 2.5, output: 10 }, { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 }) // 0.0045
 */
export function costOfUsage(price: ModelPrice, usage: Usage): number {
  return picoToUsd(costPico(price, usage));
}
