/**
 * Feedback in an embedded SQLite file. Served notes arrive in batches (one transaction every quarter second,
 * off the request path) and ratings one by one (a person clicked); both are small writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ComplexityTier } from '../../config/routing-schema';
import type { FeedbackStore, Rating, ServedRequest } from '../feedback-store';

// Keyed by (key name, request id), '' for no key (NULLs would never conflict). The tables of the first version,
// keyed by request id alone, are left alone: their notes had expired within a day anyway.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS feedback_served_by_key (
  key_name TEXT NOT NULL, request_id TEXT NOT NULL, alias TEXT NOT NULL, target TEXT NOT NULL, tier TEXT NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY (key_name, request_id)
);
CREATE INDEX IF NOT EXISTS feedback_served_by_key_at ON feedback_served_by_key (at);
CREATE TABLE IF NOT EXISTS feedback_ratings_by_key (
  key_name TEXT NOT NULL, request_id TEXT NOT NULL, alias TEXT NOT NULL, target TEXT NOT NULL, tier TEXT NOT NULL, score REAL NOT NULL, label TEXT,
  at INTEGER NOT NULL, PRIMARY KEY (key_name, request_id)
);
CREATE INDEX IF NOT EXISTS feedback_ratings_by_key_at ON feedback_ratings_by_key (at);
`;

interface ServedRow {
  request_id: string;
  key_name: string;
  alias: string;
  target: string;
  tier: string;
  at: number;
}
interface RatingRow extends ServedRow {
  score: number;
  label: string | null;
}

/** @example const store = new SqliteFeedbackStore('./data/feedback.db'); */
export class SqliteFeedbackStore implements FeedbackStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 1000');
    this.db.exec(SCHEMA);
  }

  async noteServed(batch: readonly ServedRequest[]): Promise<void> {
    // OR IGNORE: the first note for a key's request id stands (see FeedbackStore.noteServed).
    const insert = this.db.prepare('INSERT OR IGNORE INTO feedback_served_by_key (key_name, request_id, alias, target, tier, at) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const s of batch) insert.run(s.keyName ?? '', s.requestId, s.alias, s.target, s.tier, s.at);
    })();
  }

  async served(keyName: string | null, requestId: string): Promise<ServedRequest | undefined> {
    const row = this.db.prepare('SELECT * FROM feedback_served_by_key WHERE key_name = ? AND request_id = ?').get(keyName ?? '', requestId) as
      ServedRow | undefined;
    return (
      row && { requestId: row.request_id, keyName: row.key_name || null, alias: row.alias, target: row.target, tier: row.tier as ComplexityTier, at: row.at }
    );
  }

  async addRating(r: Rating): Promise<boolean> {
    const result = this.db
      .prepare('INSERT OR IGNORE INTO feedback_ratings_by_key (key_name, request_id, alias, target, tier, score, label, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(r.keyName ?? '', r.requestId, r.alias, r.target, r.tier, r.score, r.label, r.at);
    return result.changes === 1;
  }

  async ratingsSince(since: number): Promise<Rating[]> {
    const rows = this.db.prepare('SELECT * FROM feedback_ratings_by_key WHERE at >= ? ORDER BY at').all(since) as RatingRow[];
    return rows.map(toRating);
  }

  async purge(before: number): Promise<void> {
    this.db.prepare('DELETE FROM feedback_served_by_key WHERE at < ?').run(before);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function toRating(row: RatingRow): Rating {
  return {
    requestId: row.request_id,
    keyName: row.key_name || null,
    alias: row.alias,
    target: row.target,
    tier: row.tier as ComplexityTier,
    score: Number(row.score),
    label: row.label,
    at: Number(row.at),
  };
}
