/**
 * The one way a store opens PostgreSQL (spend sink, request log, response store, feedback): a bounded pool that
 * gives up connecting after 2 s — a database that is down fails each call, it never hangs one — and that never
 * crashes the process when an idle connection drops.
 */
import { Pool } from 'pg';

/**
 * @example const pool = openPostgresPool('postgres://postgres@127.0.0.1:5432/test', 4);
 */
export function openPostgresPool(connectionString: string, max = 4): Pool {
  const pool = new Pool({ connectionString, max, connectionTimeoutMillis: 2000, idleTimeoutMillis: 10_000 });
  // An idle client losing its connection emits 'error'; without a listener that would crash the process. Each
  // call still reports its own failure.
  pool.on('error', () => {});
  return pool;
}
