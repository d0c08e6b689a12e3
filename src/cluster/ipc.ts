/**
 * Messages between the primary and its workers (`switchyard start --workers N`), over the IPC channel that
 * node:cluster opens: calls a worker makes to the primary (shared rate-limit buckets, cache, the aggregated
 * metrics, budget counters, concurrency slots), broadcasts one worker sends to all others (cooldowns, latency
 * statistics, health-check results) and notices the primary sends to every worker (which worker probes, which
 * one is gone). Every message carries `sy` so other traffic on the channel (prom-client's own) is left alone.
 */
import cluster, { type Worker } from 'node:cluster';

type Call = { sy: 'call'; id: number; method: string; args: unknown[] };
type Reply = { sy: 'reply'; id: number; ok: true; value: unknown } | { sy: 'reply'; id: number; ok: false; name: string; message: string };
type Broadcast = { sy: 'broadcast'; channel: string; payload: unknown };
type Message = Call | Reply | Broadcast;

function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && typeof (m as { sy?: unknown }).sy === 'string';
}

/** True in a worker started by `--workers` (not in a plain single process, not in the primary). */
export function isGatewayWorker(): boolean {
  return cluster.isWorker && process.env.SWITCHYARD_WORKER === '1';
}

// ---- worker side ----

const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
const channels = new Map<string, (payload: unknown) => void>();
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any error class, whatever its constructor takes
const errorTypes = new Map<string, abstract new (...args: any[]) => Error>();
let nextId = 1;
/** The id of a call that wants no reply (`notifyPrimary`); real calls count from 1. */
const NO_REPLY = 0;
let listening = false;

function listenAsWorker(): void {
  if (listening) return;
  listening = true;
  process.on('message', (m: unknown) => {
    if (!isMessage(m)) return;
    if (m.sy === 'reply') {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else {
        // Rebuilt without its constructor (whose arguments are not known here), so `instanceof` still holds.
        const Type = errorTypes.get(m.name);
        const err = (Type ? Object.create(Type.prototype) : new Error()) as Error;
        err.name = m.name;
        err.message = m.message;
        p.reject(err);
      }
    } else if (m.sy === 'broadcast') channels.get(m.channel)?.(m.payload);
  });
}

/**
 * The primary did not answer a call in time (it is stopped, stuck, or gone).
 *
 * @example await callPrimary('budget.get', [counter], 2000).catch((e) => e instanceof PrimaryTimeout && refuse());
 */
export class PrimaryTimeout extends Error {
  constructor(method: string, ms: number) {
    super(`the primary did not answer ${method} within ${ms} ms`);
    this.name = 'PrimaryTimeout';
  }
}

/**
 * Calls a method the primary serves. Rejects when the primary is gone, or with PrimaryTimeout when it has not
 * answered within `timeoutMs` (a late answer is then ignored).
 *
 * @example const result = await callPrimary('buckets.take', ['rate-limit', specs]);
 */
export function callPrimary(method: string, args: unknown[], timeoutMs?: number): Promise<unknown> {
  listenAsWorker();
  return new Promise((resolve, reject) => {
    const id = nextId++;
    let timer: NodeJS.Timeout | undefined;
    const done = (fn: () => void) => {
      if (timer) clearTimeout(timer);
      pending.delete(id);
      fn();
    };
    pending.set(id, { resolve: (v) => done(() => resolve(v)), reject: (e) => done(() => reject(e)) });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => done(() => reject(new PrimaryTimeout(method, timeoutMs))), timeoutMs);
      timer.unref();
    }
    const sent = process.send?.({ sy: 'call', id, method, args } satisfies Call, undefined, undefined, (err) => {
      if (err) done(() => reject(err));
    });
    if (!sent && !process.send) done(() => reject(new Error('not a worker: no primary to call')));
  });
}

/**
 * Calls a method of the primary without waiting for, or getting, an answer: one message instead of two (a slot's
 * release). Lost, silently, when the primary is gone.
 *
 * @example notifyPrimary('slots.release', [ticket]);
 */
export function notifyPrimary(method: string, args: unknown[]): void {
  process.send?.({ sy: 'call', id: NO_REPLY, method, args } satisfies Call, undefined, undefined, ignoreClosed);
}

/**
 * The environment variable through which the primary gives every worker one random key for signing dashboard
 * sessions (dashboard/session-store.ts), so a login served by one worker is valid on the others.
 */
export const SESSION_KEY_ENV = 'SWITCHYARD_SESSION_KEY';

/** This worker's id among the primary's workers (1, 2, …; a replacement gets a new one); 0 outside a worker. @example const ticket = `${workerId()}:${n}`; */
export function workerId(): number {
  return cluster.worker?.id ?? 0;
}

/** An error class thrown across the channel keeps its class (e.g. rate-limit's InvalidBucketCharge). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any error class, whatever its constructor takes
export function registerErrorType(type: abstract new (...args: any[]) => Error): void {
  errorTypes.set(type.name, type);
}

/**
 * The callback of every send that expects no answer. A channel can close between `isConnected()` and the write
 * (a worker draining, the primary stopping); without a callback the failed write is an 'error' event nobody
 * listens to, which kills the process (it made a draining primary exit 1). A message lost to a closed channel
 * had no one left to read it.
 */
function ignoreClosed(): void {}

/** Sends `payload` to every other worker. @example broadcast('cooldown', event) */
export function broadcast(channel: string, payload: unknown): void {
  listenAsWorker();
  process.send?.({ sy: 'broadcast', channel, payload } satisfies Broadcast, undefined, undefined, ignoreClosed);
}

/** Receives other workers' broadcasts on a channel. @example onBroadcast('cooldown', (e) => book.applyPeer(e)) */
export function onBroadcast(channel: string, handler: (payload: unknown) => void): void {
  listenAsWorker();
  channels.set(channel, handler);
}

// ---- primary side ----

/** Sends `payload` on `channel` to every worker (from the primary). @example tellWorkers('worker-gone', 3) */
export function tellWorkers(channel: string, payload: unknown): void {
  for (const w of Object.values(cluster.workers ?? {}))
    if (w?.isConnected()) w.send({ sy: 'broadcast', channel, payload } satisfies Broadcast, undefined, undefined, ignoreClosed);
}

export type PrimaryHandlers = Record<string, (...args: never[]) => unknown>;

/** What the primary keeps of the broadcasts it relays, by channel (to hand a replacement worker what it missed). */
export type BroadcastWatchers = Record<string, (payload: unknown) => void>;

/**
 * Answers workers' calls with `handlers` and relays their broadcasts (showing each to `watchers` first); call
 * once in the primary.
 *
 * @example servePrimary({ 'buckets.take': (store, specs) => local.take(specs) }, { cooldown: (e) => keep(e) });
 */
export function servePrimary(handlers: PrimaryHandlers, watchers: BroadcastWatchers = {}): void {
  cluster.on('message', (worker: Worker, m: unknown) => {
    if (!isMessage(m)) return;
    if (m.sy === 'broadcast') {
      watchers[m.channel]?.(m.payload);
      for (const other of Object.values(cluster.workers ?? {}))
        if (other && other !== worker && other.isConnected()) other.send(m, undefined, undefined, ignoreClosed);
      return;
    }
    if (m.sy !== 'call') return;
    const reply = (r: Reply) => {
      if (r.id !== NO_REPLY && worker.isConnected()) worker.send(r, undefined, undefined, ignoreClosed);
    };
    const handler = handlers[m.method] as ((...args: unknown[]) => unknown) | undefined;
    if (!handler) return reply({ sy: 'reply', id: m.id, ok: false, name: 'Error', message: `unknown primary method ${m.method}` });
    Promise.resolve()
      .then(() => handler(...m.args))
      .then(
        (value) => reply({ sy: 'reply', id: m.id, ok: true, value }),
        (err: unknown) => reply({ sy: 'reply', id: m.id, ok: false, name: (err as Error)?.name ?? 'Error', message: (err as Error)?.message ?? String(err) }),
      );
  });
}
