/**
 * Per-provider concurrency limits (`limits.concurrency` on a provider): at most N upstream calls in flight from
 * this instance; more wait first come, first served, up to their deadline. Counted per instance, not in Redis,
 * because a crashed instance would otherwise leave its slots taken forever. With `--workers` the primary runs
 * the one gate of all workers (cluster/shared-stores.ts) and frees the slots of a worker that dies.
 */
import type { AbortSource } from '../upstream/abort-flag';

interface GateState {
  active: number;
  waiters: { grant(): void }[];
}

/** Thrown when no slot freed up before the deadline. */
export class ConcurrencyTimeout extends Error {
  constructor(
    readonly provider: string,
    readonly limit: number,
  ) {
    super(`provider "${provider}" is at its concurrency limit of ${limit}`);
  }
}

/** Slots per provider: this process's gate, or in a worker, the primary's. */
export interface ConcurrencySlots {
  /** Resolves with a release function (safe to call more than once); rejects with ConcurrencyTimeout past the deadline. */
  acquire(provider: string, limit: number, deadline: number, signal?: AbortSource): Promise<() => void>;
  close(): Promise<void>;
}

/**
 * @example
 * const release = await gate.acquire('openai', 50, Date.now() + 2000);
 * try { await callUpstream(); } finally { release(); }
 */
export class ConcurrencyGate implements ConcurrencySlots {
  private readonly gates = new Map<string, GateState>();

  inFlight(provider: string): number {
    return this.gates.get(provider)?.active ?? 0;
  }

  /** Resolves with a release function (safe to call more than once). */
  async acquire(provider: string, limit: number, deadline: number, signal?: AbortSource): Promise<() => void> {
    let gate = this.gates.get(provider);
    if (!gate) this.gates.set(provider, (gate = { active: 0, waiters: [] }));
    const state = gate;
    if (state.active < limit && state.waiters.length === 0) {
      state.active++;
      return this.releaser(provider, state);
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const drop = (err: Error) => {
        const i = state.waiters.indexOf(waiter);
        if (i >= 0) state.waiters.splice(i, 1);
        reject(err);
      };
      const timer = setTimeout(() => drop(new ConcurrencyTimeout(provider, limit)), Math.max(0, deadline - Date.now()));
      const onAbort = () => {
        clearTimeout(timer);
        drop(new Error('client went away while waiting for a provider slot'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      state.waiters.push(waiter);
    });
    return this.releaser(provider, state);
  }

  private releaser(provider: string, state: GateState): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = state.waiters.shift();
      // The slot passes straight to the next waiter, so `active` only drops when nobody waits.
      if (next) next.grant();
      else if (--state.active === 0) this.gates.delete(provider);
    };
  }

  async close(): Promise<void> {
    this.gates.clear();
  }
}
