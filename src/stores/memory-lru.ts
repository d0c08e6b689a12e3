/**
 * An in-process LRU map of strings with per-entry expiry, bounded both by entry count and by bytes, so a few
 * huge answers cannot push the process out of memory.
 */

interface LruEntry {
  value: string;
  bytes: number;
  expiresAt: number;
}

export interface MemoryLruOptions {
  maxEntries: number;
  maxBytes: number;
  /** Clock for expiry (ms); injectable for tests. */
  now?: () => number;
}

/**
 * @example
 * const lru = new MemoryLru({ maxEntries: 1000, maxBytes: 64 * 1024 * 1024 });
 * lru.set('k', 'v', 60_000);
 * lru.get('k') // 'v'
 */
export class MemoryLru {
  // A Map iterates in insertion order; re-inserting on read makes the first key the least recently used.
  private readonly entries = new Map<string, LruEntry>();
  private bytes = 0;
  private readonly now: () => number;

  constructor(private readonly options: MemoryLruOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(key, entry);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores a value for `ttlMs`. A value larger than the whole byte budget is not stored at all. */
  set(key: string, value: string, ttlMs: number): void {
    const existing = this.entries.get(key);
    if (existing) this.remove(key, existing);
    // UTF-16 strings: two bytes per code unit is what V8 holds for non-Latin-1 text; close enough for a bound.
    const bytes = (key.length + value.length) * 2;
    if (bytes > this.options.maxBytes || this.options.maxEntries < 1) return;
    this.entries.set(key, { value, bytes, expiresAt: this.now() + ttlMs });
    this.bytes += bytes;
    this.evict();
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry) this.remove(key, entry);
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private remove(key: string, entry: LruEntry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && this.bytes <= this.options.maxBytes) return;
      this.remove(key, entry);
    }
  }
}
