/**
 * The SQLite connection in a worker thread: calls answer in order, and a file that cannot be opened fails each
 * call with the driver's reason and the path — on every Node version (from Node 22 on, the driver's own error
 * reached the parent as a bare object without its message, and a page that reported it answered 500).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteWorkerConnection } from './sqlite-worker';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-worker-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('statements run in the worker; integer columns come back as bigint', async () => {
  const db = new SqliteWorkerConnection(path.join(dir, 'ok.db'));
  try {
    await db.exec('CREATE TABLE t (x INTEGER)');
    expect(await db.runMany('INSERT INTO t VALUES (?)', [[1], [2]])).toBe(2);
    expect(await db.all('SELECT SUM(x) AS s FROM t')).toEqual([{ s: 3n }]);
  } finally {
    await db.close();
  }
});

test('a file that cannot be opened fails every call with an Error that says why and where', async () => {
  const blocker = path.join(dir, 'a-file');
  fs.writeFileSync(blocker, 'not a directory');
  const file = path.join(blocker, 'x.db');
  const db = new SqliteWorkerConnection(file);
  try {
    for (let i = 0; i < 2; i++) {
      const err = (await db.all('SELECT 1').catch((e: unknown) => e)) as Error & { code?: string };
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toBe(`unable to open database file (${file})`);
      expect(err.code).toBe('SQLITE_CANTOPEN');
    }
  } finally {
    await db.close();
  }
});
