/**
 * Aborts for the gateway's own code without an AbortSignal per request: the client going away, an upstream
 * attempt's deadlines.
 *
 * Why: creating an AbortSignal costs about 2 µs and its EventTarget listeners more, on every request, while a
 * client almost never leaves early. The routing, the transports and the built-in plugins only need what
 * `AbortSource` describes, which AbortSignal also satisfies; a real AbortSignal is made on demand for APIs that
 * insist on one (plugins reading `ctx.signal`, `AbortSignal.any` for hedging and routing deadlines, timers).
 */

/** The part of AbortSignal the gateway relies on. AbortSignal is one; so is AbortFlag. */
export interface AbortSource {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * An abort that costs nothing until someone asks for an AbortSignal: a flag, a reason and a listener list.
 * The client's disconnect (one per request, see server/context.ts) and each upstream attempt (AttemptSignal,
 * which adds its timers) are both one.
 *
 * @example
 * const gone = new AbortFlag();
 * res.on('close', () => { if (!res.writableFinished) gone.abort(new Error('client disconnected')); });
 * gone.addEventListener('abort', () => upstream.cancel());
 */
export class AbortFlag implements AbortSource {
  aborted = false;
  reason: unknown;
  private listeners: (() => void)[] = [];
  private controller: AbortController | undefined;

  /** Fires once; later calls do nothing. */
  abort(reason: unknown = new Error('aborted')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
    this.controller?.abort(reason);
  }

  /** Listeners are called once, at the abort (so `once` is implied). */
  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.aborted) this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** The same, as a real AbortSignal; made on first use. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }
}

/**
 * An AbortSignal that follows `source`: the source itself when it is one.
 *
 * @example AbortSignal.any([asAbortSignal(source), timeout.signal])
 */
export function asAbortSignal(source: AbortSource): AbortSignal {
  if (source instanceof AbortSignal) return source;
  if (source instanceof AbortFlag) return source.signal;
  const controller = new AbortController();
  if (source.aborted) controller.abort(source.reason);
  else source.addEventListener('abort', () => controller.abort(source.reason), { once: true });
  return controller.signal;
}
