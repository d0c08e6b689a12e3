import { QualityBook, sampleBeta } from './quality-book';

const HOUR = 3_600_000;

function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('QualityBook', () => {
  it('starts at 0.5 and moves with ratings', () => {
    const book = new QualityBook(72 * HOUR, () => 0);
    expect(book.estimate('chat', 'a/m').mean).toBe(0.5);
    book.rate('chat', 'a/m', 'simple', 1, 0);
    book.rate('chat', 'a/m', 'simple', 1, 0);
    expect(book.estimate('chat', 'a/m')).toMatchObject({ alpha: 3, beta: 1, mean: 0.75, ratings: 2 });
  });

  it('halves old evidence every half-life, so a target that improved is believed again', () => {
    let now = 0;
    const book = new QualityBook(10 * HOUR, () => now);
    for (let i = 0; i < 8; i++) book.rate('chat', 'a/m', undefined, 0, 0);
    expect(book.estimate('chat', 'a/m').beta).toBe(9);
    now = 10 * HOUR;
    expect(book.estimate('chat', 'a/m').beta).toBeCloseTo(5, 10);
    for (let i = 0; i < 4; i++) book.rate('chat', 'a/m', undefined, 1, now);
    expect(book.estimate('chat', 'a/m').mean).toBeCloseTo(5 / 10, 10);
  });

  it("uses a tier's own cell once it has three ratings", () => {
    const book = new QualityBook(HOUR, () => 0);
    for (let i = 0; i < 5; i++) book.rate('chat', 'a/m', 'simple', 1, 0);
    book.rate('chat', 'a/m', 'complex', 0, 0);
    expect(book.estimate('chat', 'a/m', 'complex').ratings).toBe(6); // falls back to all tiers
    book.rate('chat', 'a/m', 'complex', 0, 0);
    book.rate('chat', 'a/m', 'complex', 0, 0);
    expect(book.estimate('chat', 'a/m', 'complex')).toMatchObject({ ratings: 3, alpha: 1, beta: 4 });
  });

  it('replays ratings out of order without losing their weight', () => {
    const a = new QualityBook(HOUR, () => 2 * HOUR);
    a.rate('c', 't', undefined, 1, 2 * HOUR);
    a.rate('c', 't', undefined, 1, HOUR);
    const b = new QualityBook(HOUR, () => 2 * HOUR);
    b.rate('c', 't', undefined, 1, HOUR);
    b.rate('c', 't', undefined, 1, 2 * HOUR);
    expect(a.estimate('c', 't').alpha).toBeCloseTo(b.estimate('c', 't').alpha, 10);
  });
});

describe('sampleBeta', () => {
  it('draws with the right mean, for shapes above and below 1', () => {
    const random = seeded(7);
    for (const [alpha, beta] of [
      [9, 1],
      [0.5, 0.5],
      [2, 5],
    ]) {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += sampleBeta(alpha, beta, random);
      expect(sum / 20_000).toBeCloseTo(alpha / (alpha + beta), 1);
    }
  });
});
