/**
 * Money as integers. Every amount the gateway records, sums or compares is a whole number of pico-dollars
 * (1e-12 USD). Catalog prices are USD per 1M tokens with at most six decimals, i.e. a whole number of
 * pico-dollars per token, so a request's cost is exact with no rounding at all, and sums of any number of
 * requests stay exact (SQL INTEGER/BIGINT columns, Redis INCRBY, BigInt in memory). USD as a float appears only
 * at the edges: headers, JSON answers, log lines.
 */

/** Pico-dollars in one USD. */
export const PICO_PER_USD = 1_000_000_000_000;

/** Pico-dollars per token in one "USD per 1M tokens" price unit. */
export const PICO_PER_TOKEN_PER_USD_PER_MILLION = 1_000_000;

/**
 * USD → whole pico-dollars (rounded half away from zero; used for config figures such as budgets).
 *
 * @example usdToPico(0.0045) // 4_500_000_000
 */
export function usdToPico(usd: number): number {
  return Math.round(usd * PICO_PER_USD);
}

/**
 * A price in USD per 1M tokens → whole pico-dollars per token.
 *
 * @example pricePerTokenPico(0.075) // 75_000
 */
export function pricePerTokenPico(usdPerMillion: number): number {
  return Math.round(usdPerMillion * PICO_PER_TOKEN_PER_USD_PER_MILLION);
}

/**
 * Pico-dollars → USD for display. Exact for amounts below 2^53 pico-dollars (about $9,007).
 *
 * @example picoToUsd(4_500_000_000) // 0.0045
 */
export function picoToUsd(pico: number | bigint): number {
  if (typeof pico === 'bigint') return Number(formatPicoUsd(pico));
  return Number(formatPicoUsd(pico));
}

/**
 * Pico-dollars as a plain decimal USD string, exact, never in exponent notation.
 *
 * @example formatPicoUsd(20_493_750) // '0.00002049375'
 * @example formatPicoUsd(0) // '0'
 */
export function formatPicoUsd(pico: number | bigint): string {
  const value = typeof pico === 'bigint' ? pico : BigInt(Math.round(pico));
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / 1_000_000_000_000n;
  const fraction = (abs % 1_000_000_000_000n).toString().padStart(12, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
