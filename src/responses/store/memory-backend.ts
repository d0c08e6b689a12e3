/**
 * Responses kept in the process's memory: for tests and single-instance trials. Lost at restart (not at a
 * reload: the runtime keeps it), and bounded, so a busy gateway cannot grow without end before retention purges.
 */
import { decodeStored, encodeStored, type ResponseBackend } from './backend';
import type { StoredResponse } from './types';

/** Responses held at most; past it the oldest stored go first (a Map iterates in insertion order). */
export const MEMORY_MAX_RESPONSES = 10_000;

/**
 * @example const backend = new MemoryResponseBackend(); await backend.put(stored, Infinity);
 */
export class MemoryResponseBackend implements ResponseBackend {
  readonly kind = 'memory';
  // Kept as JSON text: a caller mutating the object it put (or got) must not change what is stored.
  private readonly records = new Map<string, { createdAt: number; text: string }>();

  constructor(private readonly maxResponses = MEMORY_MAX_RESPONSES) {}

  async put(response: StoredResponse): Promise<void> {
    this.records.delete(response.id);
    this.records.set(response.id, { createdAt: response.createdAt, text: encodeStored(response) });
    while (this.records.size > this.maxResponses) this.records.delete(this.records.keys().next().value!);
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    const r = this.records.get(id);
    return r ? decodeStored(r.text) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    return this.records.delete(id);
  }

  async purgeCreatedBefore(cutoff: number): Promise<number> {
    let n = 0;
    for (const [id, r] of this.records) {
      if (r.createdAt < cutoff) {
        this.records.delete(id);
        n++;
      }
    }
    return n;
  }

  async close(): Promise<void> {
    this.records.clear();
  }
}
