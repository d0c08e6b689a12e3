/**
 * What the fuzz tests share: a seeded random source, so a failing case can be replayed from its seed, and the
 * request fields of the Anthropic Messages API the generators mutate.
 */

/**
 * mulberry32: a tiny seeded PRNG; the same seed gives the same sequence.
 *
 * @example const rand = seededRandom(7); rand() // a number in [0, 1), the same on every run
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The top-level fields of a /v1/messages request that the gateway reads. */
export const MESSAGES_REQUEST_FIELDS = [
  'model',
  'max_tokens',
  'messages',
  'system',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'metadata',
  'tools',
  'tool_choice',
  'thinking',
] as const;
