/**
 * Feedback in an embedded SQLite file. Served notes arrive in batches (one transaction every quarter second,
 * off the request path) and ratings one by one (a person clicked); both are small writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ComplexityTier } from '../../config/routing-schema';
import type { FeedbackStore, Rating, ServedRequest } from '../feedback-store';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS feedback_served (
  request_id TEXT PRIMARY KEY, key_name TEXT, alias TEXT NOT NULL, target TEXT NOT NULL, tier TEXT NOT NULL, at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_served_at ON feedback_served (at);
CREATE TABLE IF NOT EXISTS feedback_ratings (
  request_id TEXT PRIMARY KEY, alias TEXT NOT NULL, target TEXT NOT NULL, tier TEXT NOT NULL, score REAL NOT NULL, label TEXT, at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_ratings_at ON feedback_ratings (at);
`;

interface ServedRow {
  request_id: string;
  key_name: string | null;
  alias: string;
  target: string;
  tier: string;
  at: number;
}
interface RatingRow extends Omit<ServedRow, 'key_name'> {
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
    const insert = this.db.prepare('INSERT OR REPLACE INTO feedback_served (request_id, key_name, alias, target, tier, at) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const s of batch) insert.run(s.requestId, s.keyName, s.alias, s.target, s.tier, s.at);
    })();
  }

  async served(requestId: string): Promise<ServedRequest | undefined> {
    const row = this.db.prepare('SELECT * FROM feedback_served WHERE request_id = ?').get(requestId) as ServedRow | undefined;
    return row && { requestId: row.request_id, keyName: row.key_name, alias: row.alias, target: row.target, tier: row.tier as ComplexityTier, at: row.at };
  }

  async addRating(r: Rating): Promise<boolean> {
    const result = this.db
      .prepare('INSERT OR IGNORE INTO feedback_ratings (request_id, alias, target, tier, score, label, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(r.requestId, r.alias, r.target, r.tier, r.score, r.label, r.at);
    return result.changes === 1;
  }

  async ratingsSince(since: number): Promise<Rating[]> {
    const rows = this.db.prepare('SELECT * FROM feedback_ratings WHERE at >= ? ORDER BY at').all(since) as RatingRow[];
    return rows.map(toRating);
  }

  async purge(before: number): Promise<void> {
    this.db.prepare('DELETE FROM feedback_served WHERE at < ?').run(before);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function toRating(row: RatingRow): Rating {
  return {
    requestId: row.request_id,
    alias: row.alias,
    target: row.target,
    tier: row.tier as ComplexityTier,
    score: Number(row.score),
    label: row.label,
    at: Number(row.at),
  };
}
