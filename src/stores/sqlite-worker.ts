/**
 * One better-sqlite3 connection living in a `worker_threads` worker. better-sqlite3 is synchronous: a write that
 * waits for a lock another process holds (up to its busy timeout) would stop the event loop, and every request
 * with it. In a worker only that worker waits; the gateway keeps answering and the calls queue behind it.
 */
import { Worker } from 'node:worker_threads';

/** Parameters of one statement; bigint for integers past 2^53. */
export type SqlParams = (string | number | bigint | boolean | null)[];

interface Call {
  id: number;
  op: 'exec' | 'all' | 'runMany';
  sql: string;
  params?: SqlParams;
  rows?: SqlParams[];
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string; code?: string };

/**
 * The worker's body. It is sent to the worker as source text (`String(workerMain)`), so it must stay
 * self-contained: no imports, no closures over this module, only what `workerData` brings.
 */
function workerMain(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { driver, file, busyTimeoutMs } = workerData as { driver: string; file: string; busyTimeoutMs: number };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require(driver) as typeof import('better-sqlite3');
  let db: import('better-sqlite3').Database;
  try {
    db = new Database(file, { timeout: busyTimeoutMs });
    db.pragma('journal_mode = WAL');
  } catch (err) {
    // Thrown as a plain Error: from Node 22 on, the driver's own error class reaches the parent's 'error' event
    // as a bare object without its message ({ code: 'SQLITE_CANTOPEN' }).
    const e = err as { message?: string; code?: string };
    throw Object.assign(new Error(`${String(e.message)} (${file})`), { code: e.code });
  }
  const statements = new Map<string, import('better-sqlite3').Statement>();
  const prepared = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      // Integers come back as bigint: sums of pico-dollars may pass 2^53.
      if (s.reader) s.safeIntegers(true);
      statements.set(sql, s);
    }
    return s;
  };
  const runMany = db.transaction((sql: string, rows: unknown[][]) => {
    const s = prepared(sql);
    let changes = 0;
    for (const row of rows) changes += s.run(row).changes;
    return changes;
  });
  parentPort!.on('message', (call: { id: number; op: string; sql: string; params?: unknown[]; rows?: unknown[][] }) => {
    try {
      let value: unknown;
      if (call.op === 'exec') value = db.exec(call.sql) && null;
      else if (call.op === 'all') value = prepared(call.sql).all(call.params ?? []);
      else if (call.op === 'runMany') value = runMany(call.sql, call.rows ?? []);
      else if (call.op === 'close') {
        db.close();
        value = null;
      }
      parentPort!.postMessage({ id: call.id, ok: true, value });
    } catch (err) {
      const e = err as { message?: string; code?: string };
      parentPort!.postMessage({ id: call.id, ok: false, message: String(e.message), code: e.code });
    }
  });
}

/**
 * @example
 * const db = new SqliteWorkerConnection('/var/lib/switchyard/spend.db');
 * await db.exec('CREATE TABLE IF NOT EXISTS t (x INTEGER)');
 * await db.runMany('INSERT INTO t VALUES (?)', [[1], [2]]); // 2
 * await db.all('SELECT SUM(x) AS s FROM t', []);           // [{ s: 3n }]
 */
export class SqliteWorkerConnection {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private closed = false;

  /** `busyTimeoutMs`: how long one statement waits for another connection's lock before failing with SQLITE_BUSY. */
  constructor(
    readonly file: string,
    private readonly busyTimeoutMs = 5_000,
  ) {}

  exec(sql: string): Promise<void> {
    return this.call({ op: 'exec', sql }) as Promise<void>;
  }

  /** Rows of a query; integer columns as bigint. */
  all(sql: string, params: SqlParams = []): Promise<Record<string, unknown>[]> {
    return this.call({ op: 'all', sql, params }) as Promise<Record<string, unknown>[]>;
  }

  /** Runs one statement for each row of parameters in one transaction; resolves with the rows changed. */
  runMany(sql: string, rows: SqlParams[]): Promise<number> {
    return this.call({ op: 'runMany', sql, rows }) as Promise<number>;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve: () => resolve(), reject: () => resolve() });
      worker.ref();
      worker.postMessage({ id, op: 'close', sql: '' });
    });
    await worker.terminate();
  }

  private call(call: Omit<Call, 'id'>): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the SQLite connection is closed'));
    const worker = this.spawn();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Referenced only while a call is outstanding: an idle connection must not keep the process alive.
      worker.ref();
      worker.postMessage({ id, ...call });
    });
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(`(${String(workerMain)})()`, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), file: this.file, busyTimeoutMs: this.busyTimeoutMs },
    });
    worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.ok) p.resolve(reply.value);
      else p.reject(Object.assign(new Error(reply.message), { code: reply.code }));
    });
    // A worker that died (the file could not be opened, out of memory) fails its calls; the next call starts a new one.
    // Only once: its 'exit' follows its 'error', and by then the calls pending may be its replacement's.
    const fail = (err: unknown) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const error = asError(err);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the SQLite worker exited (code ${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

/** What a dead worker sent as an Error with a message, whatever shape it arrived in. */
function asError(err: unknown): Error {
  if (err instanceof Error && typeof err.message === 'string' && err.message !== '') return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as { message?: unknown; code?: unknown };
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : `the SQLite worker failed${typeof e.code === 'string' ? ` (${e.code})` : ''}`;
  return Object.assign(new Error(message), typeof e.code === 'string' ? { code: e.code } : {});
}
