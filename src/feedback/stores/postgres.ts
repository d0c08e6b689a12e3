/** Feedback in PostgreSQL, shared by every gateway instance that points at the same database. */
import pg from 'pg';
import type { ComplexityTier } from '../../config/routing-schema';
import type { FeedbackStore, Rating, ServedRequest } from '../feedback-store';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS feedback_served (
  request_id TEXT PRIMARY KEY, key_name TEXT, alias TEXT NOT NULL, target TEXT NOT NULL, tier TEXT NOT NULL, at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_served_at ON feedback_served (at);
CREATE TABLE IF NOT EXISTS feedback_ratings (
  request_id TEXT PRIMARY KEY, alias TEXT NOT NULL, target TEXT NOT NULL, tier TEXT NOT NULL, score DOUBLE PRECISION NOT NULL, label TEXT, at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_ratings_at ON feedback_ratings (at);
`;

/** @example const store = new PostgresFeedbackStore('postgres://user@db/switchyard'); */
export class PostgresFeedbackStore implements FeedbackStore {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private schemaReady: Promise<void> | undefined;

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 4 });
    // A database that is down must not crash the process; each call reports its own failure.
    this.pool.on('error', () => {});
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
      values.push(s.requestId, s.keyName, s.alias, s.target, s.tier, s.at);
      const o = i * 6;
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6})`;
    });
    await this.pool.query(
      `INSERT INTO feedback_served (request_id, key_name, alias, target, tier, at) VALUES ${rows.join(', ')} ON CONFLICT (request_id) DO NOTHING`,
      values,
    );
  }

  async served(requestId: string): Promise<ServedRequest | undefined> {
    await this.schema();
    const { rows } = await this.pool.query('SELECT * FROM feedback_served WHERE request_id = $1', [requestId]);
    const row = rows[0] as Record<string, string | null> | undefined;
    return (
      row && {
        requestId: String(row.request_id),
        keyName: row.key_name,
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
      'INSERT INTO feedback_ratings (request_id, alias, target, tier, score, label, at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (request_id) DO NOTHING',
      [r.requestId, r.alias, r.target, r.tier, r.score, r.label, r.at],
    );
    return result.rowCount === 1;
  }

  async ratingsSince(since: number): Promise<Rating[]> {
    await this.schema();
    const { rows } = await this.pool.query('SELECT * FROM feedback_ratings WHERE at >= $1 ORDER BY at', [since]);
    return (rows as Record<string, string | null>[]).map((row) => ({
      requestId: String(row.request_id),
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
    await this.pool.query('DELETE FROM feedback_served WHERE at < $1', [before]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
