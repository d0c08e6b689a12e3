/**
 * State that outlives a config reload: connection pools, plugin counters and caches, routing statistics.
 * Each snapshot asks for its state by key; the same key returns the same object. After a reload, entries the
 * new snapshot did not ask for are disposed, so state of removed providers and plugins does not pile up.
 */

interface Entry {
  value: unknown;
  dispose?: (value: unknown) => void | Promise<void>;
}

/**
 * @example
 * const pool = registry.keep('pool:openai|https://api.openai.com', () => new HttpTransport(...), (t) => t.close());
 */
export class StateRegistry {
  private readonly entries = new Map<string, Entry>();
  private touched = new Set<string>();

  keep<T>(key: string, create: () => T, dispose?: (value: T) => void | Promise<void>): T {
    this.touched.add(key);
    const existing = this.entries.get(key);
    if (existing) return existing.value as T;
    const value = create();
    this.entries.set(key, { value, dispose: dispose as Entry['dispose'] });
    return value;
  }

  /** Starts recording which keys the snapshot being built uses. */
  beginBuild(): void {
    this.touched = new Set();
  }

  /** Called after a successful swap: disposes what the new snapshot no longer uses. */
  async retainTouched(): Promise<void> {
    const stale = [...this.entries.keys()].filter((k) => !this.touched.has(k));
    await this.disposeKeys(stale);
  }

  /** A failed build must not dispose anything: the old snapshot still uses it. Keys it created alone are dropped. */
  abandonBuild(previouslyKnown: Set<string>): Promise<void> {
    return this.disposeKeys([...this.entries.keys()].filter((k) => !previouslyKnown.has(k)));
  }

  keys(): Set<string> {
    return new Set(this.entries.keys());
  }

  async disposeAll(): Promise<void> {
    await this.disposeKeys([...this.entries.keys()]);
  }

  private async disposeKeys(keys: string[]): Promise<void> {
    for (const k of keys) {
      const e = this.entries.get(k);
      this.entries.delete(k);
      try {
        await e?.dispose?.(e.value);
      } catch {
        // Disposal is best effort: a pool that fails to close must not break a reload.
      }
    }
  }
}
