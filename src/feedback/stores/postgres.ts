/** Feedback in PostgreSQL, shared by every gateway instance that points at the same database. */
import type pg from 'pg';
import type { ComplexityTier } from '../../config/routing-schema';
import type { FeedbackStore, Rating, ServedRequest } from '../feedback-store';
import { openPostgresPool } from '../../stores/postgres-pool';

// Keyed by (key name, request id), '' for no key (a primary key cannot hold NULL). The tables of the first
// version, keyed by request id alone, are left alone: their notes had expired within a day anyway.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS feedback_served_by_key (
  key_name TEXT NOT NULL, request_id TEXT NOT NULL, alias TEXT NOT NULL, target TEXT NOT NULL, tier TEXT NOT NULL, at BIGINT NOT NULL,
  PRIMARY KEY (key_name, request_id)
);
CREATE INDEX IF NOT EXISTS feedback_served_by_key_at ON feedback_served_by_key (at);
CREATE TABLE IF NOT EXISTS feedback_ratings_by_key (
  key_name TEXT NOT NULL, request_id TEXT NOT NULL, alias TEXT NOT NULL, target TEXT NOT NULL, tier TEXT NOT NULL, score DOUBLE PRECISION NOT NULL,
  label TEXT, at BIGINT NOT NULL, PRIMARY KEY (key_name, request_id)
);
CREATE INDEX IF NOT EXISTS feedback_ratings_by_key_at ON feedback_ratings_by_key (at);
`;

/** @example const store = new PostgresFeedbackStore('postgres://user@db/switchyard'); */
export class PostgresFeedbackStore implements FeedbackStore {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private schemaReady: Promise<void> | undefined;

  constructor(url: string) {
    this.pool = openPostgresPool(url, 4);
  }

  private schema(): Promise<void> {
    this.schemaReady ??= this.pool.query(SCHEMA).then(
      () => undefined,
      (err: unknown) => {
        this.schemaReady = undefined;
        throw err;
      },
    );
    return this.schemaReady;
  }

  async noteServed(batch: readonly ServedRequest[]): Promise<void> {
    if (batch.length === 0) return;
    await this.schema();
    const values: unknown[] = [];
    const rows = batch.map((s, i) => {
      values.push(s.keyName ?? '', s.requestId, s.alias, s.target, s.tier, s.at);
      const o = i * 6;
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6})`;
    });
    await this.pool.query(
      // DO NOTHING: the first note for a key's request id stands (see FeedbackStore.noteServed).
      `INSERT INTO feedback_served_by_key (key_name, request_id, alias, target, tier, at) VALUES ${rows.join(', ')} ON CONFLICT (key_name, request_id) DO NOTHING`,
      values,
    );
  }

  async served(keyName: string | null, requestId: string): Promise<ServedRequest | undefined> {
    await this.schema();
    const { rows } = await this.pool.query('SELECT * FROM feedback_served_by_key WHERE key_name = $1 AND request_id = $2', [keyName ?? '', requestId]);
    const row = rows[0] as Record<string, string | null> | undefined;
    return (
      row && {
        requestId: String(row.request_id),
        keyName: row.key_name || null,
        alias: String(row.alias),
        target: String(row.target),
        tier: row.tier as ComplexityTier,
        at: Number(row.at),
      }
    );
  }

  async addRating(r: Rating): Promise<boolean> {
    await this.schema();
    const result = await this.pool.query(
      'INSERT INTO feedback_ratings_by_key (key_name, request_id, alias, target, tier, score, label, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key_name, request_id) DO NOTHING',
      [r.keyName ?? '', r.requestId, r.alias, r.target, r.tier, r.score, r.label, r.at],
    );
    return result.rowCount === 1;
  }

  async ratingsSince(since: number): Promise<Rating[]> {
    await this.schema();
    const { rows } = await this.pool.query('SELECT * FROM feedback_ratings_by_key WHERE at >= $1 ORDER BY at', [since]);
    return (rows as Record<string, string | null>[]).map((row) => ({
      requestId: String(row.request_id),
      keyName: row.key_name || null,
      alias: String(row.alias),
      target: String(row.target),
      tier: row.tier as ComplexityTier,
      score: Number(row.score),
      label: row.label,
      at: Number(row.at),
    }));
  }

  async purge(before: number): Promise<void> {
    await this.schema();
    await this.pool.query('DELETE FROM feedback_served_by_key WHERE at < $1', [before]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
