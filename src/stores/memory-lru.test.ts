import { MemoryLru } from './memory-lru';

describe('memory LRU', () => {
  it('evicts the least recently used entry past max entries', () => {
    const lru = new MemoryLru({ maxEntries: 2, maxBytes: 1 << 20 });
    lru.set('a', '1', 60_000);
    lru.set('b', '2', 60_000);
    lru.get('a');
    lru.set('c', '3', 60_000);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe('1');
    expect(lru.get('c')).toBe('3');
  });

  it('stays under its byte budget and refuses values larger than the whole budget', () => {
    const lru = new MemoryLru({ maxEntries: 100, maxBytes: 100 });
    // (1 + 30) × 2 = 62 bytes each: two do not fit in 100.
    lru.set('a', 'x'.repeat(30), 60_000);
    lru.set('b', 'x'.repeat(30), 60_000);
    expect(lru.size).toBe(1);
    expect(lru.get('b')).toBeDefined();
    lru.set('huge', 'x'.repeat(1000), 60_000);
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.totalBytes).toBeLessThanOrEqual(100);
  });

  it('forgets entries after their time to live', () => {
    let now = 1000;
    const lru = new MemoryLru({ maxEntries: 10, maxBytes: 1000, now: () => now });
    lru.set('a', '1', 500);
    now += 499;
    expect(lru.get('a')).toBe('1');
    now += 1;
    expect(lru.get('a')).toBeUndefined();
    expect(lru.totalBytes).toBe(0);
  });

  it('replacing a value keeps the byte count right', () => {
    const lru = new MemoryLru({ maxEntries: 10, maxBytes: 1000 });
    lru.set('a', 'xxxx', 1000);
    lru.set('a', 'yy', 1000);
    expect(lru.totalBytes).toBe((1 + 2) * 2);
  });
});
