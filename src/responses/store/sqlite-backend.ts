/**
 * Responses in an embedded SQLite file (better-sqlite3): the zero-setup default, a file beside the config.
 *
 * better-sqlite3 is synchronous, and these calls run on the event loop, on purpose: each is one statement on one
 * row by primary key, in WAL mode with synchronous=NORMAL (no fsync per commit), which takes tens of microseconds
 * for a typical response and about a millisecond for a 1 MB one (bench: `npx ts-node src/bench/response-store.ts`).
 * A worker thread would cost more than that in copying the row across and would make a read-your-write after a
 * put asynchronous. The one bulk statement, the retention purge, deletes in batches so it never holds the loop long.
 * The file is opened on first use, so a gateway that never stores a response creates no file.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { decodeStored, encodeStored, type ResponseBackend } from './backend';
import type { StoredResponse } from './types';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS responses (
  id TEXT PRIMARY KEY, owner TEXT, created_at INTEGER NOT NULL, record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_created_at ON responses (created_at);
`;

/** Rows one purge statement deletes; the purge yields to the event loop between batches. */
export const SQLITE_PURGE_BATCH = 500;

interface Statements {
  db: Database.Database;
  put: Database.Statement;
  get: Database.Statement;
  del: Database.Statement;
  purge: Database.Statement;
}

/**
 * @example const backend = new SqliteResponseBackend('/etc/switchyard/data/responses.db');
 */
export class SqliteResponseBackend implements ResponseBackend {
  readonly kind = 'sqlite';
  private statements: Statements | undefined;
  private closed = false;

  /** `file` is a path, or ":memory:". Its directory is created on first use. */
  constructor(readonly file: string) {}

  async put(response: StoredResponse): Promise<void> {
    this.open().put.run(response.id, response.owner, response.createdAt, encodeStored(response));
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    const row = this.open().get.get(id) as { record: string } | undefined;
    return row ? decodeStored(row.record) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    return this.open().del.run(id).changes > 0;
  }

  async purgeCreatedBefore(cutoff: number): Promise<number> {
    // Nothing stored yet: do not create the file just to purge it.
    if (!this.statements && this.file !== ':memory:' && !fs.existsSync(this.file)) return 0;
    let total = 0;
    for (;;) {
      if (this.closed) return total;
      const n = this.open().purge.run(cutoff, SQLITE_PURGE_BATCH).changes;
      total += n;
      if (n < SQLITE_PURGE_BATCH) return total;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.statements?.db.open) this.statements.db.close();
    this.statements = undefined;
  }

  private open(): Statements {
    if (this.statements) return this.statements;
    if (this.closed) throw new Error('the SQLite response store is closed');
    if (this.file !== ':memory:') fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const db = new Database(this.file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Another instance (or the CLI) writing the same file: wait a little rather than fail at once.
      db.pragma('busy_timeout = 1000');
      db.exec(SCHEMA);
      this.statements = {
        db,
        put: db.prepare('INSERT OR REPLACE INTO responses (id, owner, created_at, record) VALUES (?, ?, ?, ?)'),
        get: db.prepare('SELECT record FROM responses WHERE id = ?'),
        del: db.prepare('DELETE FROM responses WHERE id = ?'),
        purge: db.prepare('DELETE FROM responses WHERE rowid IN (SELECT rowid FROM responses WHERE created_at < ? LIMIT ?)'),
      };
    } catch (err) {
      db.close();
      throw err;
    }
    return this.statements;
  }
}
