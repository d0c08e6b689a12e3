#!/usr/bin/env node
/**
 * `npm run bench:response-store`: the SQLite response store (responses/store/sqlite-backend.ts) for a typical
 * response (2 KB), a long one (100 KB) and one with an image in its input (1 MB): how long a put and a get take
 * (median, p99) and how much of that the event loop was busy (eventLoopUtilization's active time: JSON text, the
 * message copy, and with --direct the SQLite call itself), which every other request waited for. `--direct` runs the same calls on the event loop (better-sqlite3 without
 * the worker, WAL, synchronous=NORMAL), the way the store would work without its worker thread.
 *
 *   BENCH_STORE_RUNS  calls per size (default 2000; 200 for 1 MB)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { decodeStored, encodeStored, type ResponseBackend } from '../responses/store/backend';
import type { StoredResponse } from '../responses/store/types';
import { SQLITE_PURGE_BATCH, SqliteResponseBackend } from '../responses/store/sqlite-backend';

const DIRECT = process.argv.includes('--direct');

/** The store's statements on the event loop, for comparison. */
function directBackend(file: string): ResponseBackend {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS responses (id TEXT PRIMARY KEY, owner TEXT, created_at INTEGER NOT NULL, record TEXT NOT NULL)');
  const put = db.prepare('INSERT OR REPLACE INTO responses (id, owner, created_at, record) VALUES (?, ?, ?, ?)');
  const get = db.prepare('SELECT record FROM responses WHERE id = ?');
  const purge = db.prepare('DELETE FROM responses WHERE rowid IN (SELECT rowid FROM responses WHERE created_at < ? LIMIT ?)');
  return {
    kind: 'sqlite-direct',
    put: async (r) => void put.run(r.id, r.owner, r.createdAt, encodeStored(r)),
    get: async (id) => {
      const row = get.get(id) as { record: string } | undefined;
      return row ? decodeStored(row.record) : undefined;
    },
    delete: async () => false,
    purgeCreatedBefore: async (cutoff) => purge.run(cutoff, SQLITE_PURGE_BATCH).changes,
    close: async () => void db.close(),
  };
}

const RUNS = Number(process.env.BENCH_STORE_RUNS ?? 2000);

function responseOf(id: string, bytes: number, createdAt: number): StoredResponse {
  const text = 'lorem ipsum dolor sit amet '.repeat(Math.max(1, Math.floor(bytes / 2 / 27)));
  return {
    id,
    owner: 'team-a',
    createdAt,
    previousResponseId: null,
    instructions: null,
    inputItems: [{ type: 'message', id: `msg_in_${id}`, role: 'user', content: [{ type: 'input_text', text }] }],
    response: { id, object: 'response', status: 'completed', output: [{ type: 'message', id: `msg_${id}`, content: [{ type: 'output_text', text }] }] },
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

interface Timing {
  median: number;
  p99: number;
  /** Event-loop time the call used (performance.eventLoopUtilization's active time): what every other request waited. */
  heldMedian: number;
  heldP99: number;
}

async function timed(runs: number, call: (i: number) => Promise<unknown>): Promise<Timing> {
  const total: number[] = [];
  const held: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const loop = performance.eventLoopUtilization();
    await call(i);
    const took = Number(process.hrtime.bigint() - t) / 1000;
    total.push(took);
    // --direct is synchronous from start to end (the utilisation counter does not even see it): all of it held the loop.
    held.push(DIRECT ? took : performance.eventLoopUtilization(loop).active * 1000);
  }
  total.sort((a, b) => a - b);
  held.sort((a, b) => a - b);
  return { median: quantile(total, 0.5), p99: quantile(total, 0.99), heldMedian: quantile(held, 0.5), heldP99: quantile(held, 0.99) };
}

const us = (n: number) => `${n.toFixed(0).padStart(6)} µs`;
const row = (op: string, label: string, t: Timing) =>
  `${op.padEnd(5)} ${label.padEnd(6)} took median ${us(t.median)}, p99 ${us(t.p99)}; held the loop median ${us(t.heldMedian)}, p99 ${us(t.heldP99)}`;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-responses-'));
  const file = path.join(dir, 'responses.db');
  const backend = DIRECT ? directBackend(file) : new SqliteResponseBackend(file);
  const rows: string[] = [`SQLite response store, ${DIRECT ? 'on the event loop (--direct)' : 'in its worker thread'}; node ${process.version}`];
  try {
    for (const [label, bytes] of [
      ['2 KB', 2_000],
      ['100 KB', 100_000],
      ['1 MB', 1_000_000],
    ] as const) {
      const runs = bytes >= 1_000_000 ? Math.min(RUNS, 200) : RUNS;
      const records = Array.from({ length: runs }, (_, i) => responseOf(`resp_${label}_${i}`, bytes, 1000 + i));
      const put = await timed(runs, (i) => backend.put(records[i], Infinity));
      const get = await timed(runs, (i) => backend.get(records[i].id));
      rows.push(row('put', label, put), row('get', label, get));
    }
    // One purge batch of small rows: the longest the purge holds the loop before it yields.
    for (let i = 0; i < SQLITE_PURGE_BATCH; i++) await backend.put(responseOf(`resp_old_${i}`, 2_000, 1), Infinity);
    rows.push(row('purge', `${SQLITE_PURGE_BATCH}`, await timed(1, () => backend.purgeCreatedBefore(2))));
  } finally {
    await backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(rows.join('\n'));
}

void main();
