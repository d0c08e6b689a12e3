/**
 * A small seeded generator (mulberry32 over an FNV-1a hash of the request id), so the strategies that draw at
 * random draw the same order for the same request in every replay, whatever order the records come in.
 */

/**
 * @example const random = seededRandom('req_123', 1); random() // the same number on every run
 */
export function seededRandom(id: string, seed: number): () => number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  let state = h >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
