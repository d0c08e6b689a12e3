#!/usr/bin/env node
/**
 * `npm run bench:dashboard`: how fast the dashboard's pages load their data from a big request log. Seeds
 * 1,000,000 requests over the last 7 days into a fresh SQLite store (and PostgreSQL when it answers), in bulk
 * through the store's own batch write (records and rollups in one transaction per batch), then starts a gateway
 * (dist/cli.js, its own process) on that store and times each page's data endpoint over HTTP: the Overview for an
 * hour, a day and a week, the Requests list without and with each filter, a deep page, and one request's
 * detail. Prints the median and p95 of N runs each against the 300 ms target.
 *
 *   BENCH_DASHBOARD_REQUESTS  records to seed (default 1000000)
 *   BENCH_DASHBOARD_RUNS      timed runs per endpoint (default 30)
 *   BENCH_DASHBOARD_PG        a postgres:// URL (default postgres://postgres@127.0.0.1:5432/test; "off" skips it)
 *   BENCH_DASHBOARD_SQLITE    a SQLite file to keep: seeded when missing, reused as it is when present
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import type { RequestLogEngine } from '../stores/request-log/buffered-request-log';
import { PostgresRequestEngine } from '../stores/request-log/postgres-request-log';
import type { RequestRecord } from '../stores/request-log/request-record';
import { requestLogTables } from '../stores/request-log/sql';
import { SqliteRequestEngine } from '../stores/request-log/sqlite-request-log';
import { jsonPort, startChild, stopAll } from './setup';

const TOTAL = Number(process.env.BENCH_DASHBOARD_REQUESTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 30);
const PG_URL = process.env.BENCH_DASHBOARD_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const TARGET_MS = 300;
const DAYS = 7;
const BATCH = 5_000;
const ADMIN_KEY = 'bench-dashboard-admin-key-0001';
const DIST = path.resolve(__dirname, '..');

const ALIASES = ['chat', 'fb', 'auto', 'embed'];
const PROVIDERS = ['openai', 'anthropic', 'deepseek', 'gemini'];
const MODELS: Record<string, string> = { openai: 'gpt-4o', anthropic: 'claude-sonnet-4', deepseek: 'deepseek-chat', gemini: 'gemini-2.5-flash' };
const KEYS = Array.from({ length: 20 }, (_, i) => `team-${String(i).padStart(2, '0')}`);

/** A small deterministic PRNG, so two runs seed the same shape of traffic. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The i-th of `TOTAL` records, spread evenly over the last 7 days, with the mix of a busy gateway. */
function recordAt(i: number, now: number, rand: () => number): RequestRecord {
  const time = now - DAYS * 86_400_000 + Math.floor((i / TOTAL) * DAYS * 86_400_000);
  const alias = ALIASES[Math.floor(rand() * rand() * ALIASES.length)];
  const provider = PROVIDERS[Math.floor(rand() * PROVIDERS.length)];
  const roll = rand();
  const status = roll < 0.95 ? 200 : roll < 0.98 ? 429 : 502;
  const latency = Math.round(200 + rand() * rand() * 8000);
  const ttfb = Math.round(latency * (0.1 + rand() * 0.3));
  const prompt = Math.floor(50 + rand() * 4000);
  const completion = status === 200 ? Math.floor(10 + rand() * 800) : 0;
  const failedFirst = rand() < 0.08;
  const attempts: RequestRecord['attempts'] = failedFirst
    ? [
        { provider: 'openai', model: 'gpt-4o', status: 503, kind: 'status', reason: 'upstream answered 503', start_ms: 0, latency_ms: 40, ok: false },
        { provider, model: MODELS[provider], status, start_ms: 41, ttfb_ms: ttfb, latency_ms: latency - 41, ok: status === 200 },
      ]
    : [{ provider, model: MODELS[provider], status, start_ms: 0.4, ttfb_ms: ttfb, latency_ms: latency, ok: status === 200 }];
  return {
    id: randomUUID(),
    time,
    endpoint: alias === 'embed' ? 'embeddings' : 'chat',
    key: KEYS[Math.floor(rand() * KEYS.length)],
    alias,
    provider,
    model: MODELS[provider],
    status,
    stream: rand() < 0.6,
    latency_ms: latency,
    ttfb_ms: status === 200 ? ttfb : undefined,
    prompt_tokens: prompt,
    completion_tokens: completion,
    cached_tokens: rand() < 0.3 ? Math.floor(prompt / 2) : 0,
    reasoning_tokens: 0,
    cost_usd: status === 200 ? Math.round((prompt * 2.5 + completion * 10) / 1e6 / 1e-9) * 1e-9 : undefined,
    cache: 'miss',
    error: status === 200 ? undefined : `upstream answered ${status}`,
    error_code: status === 429 ? 'rate_limited' : status === 502 ? 'upstream_error' : undefined,
    attempts,
    features: {
      has_tools: rand() < 0.2,
      has_images: rand() < 0.05,
      structured_output: rand() < 0.1,
      estimated_prompt_tokens: prompt - 3,
      max_tokens: 1024,
      complexity: Math.round(rand() * 1000) / 1000,
    },
    metadata: rand() < 0.3 ? { team: 'search' } : undefined,
  };
}

/** Seeds the store; returns one id from the middle of the week (for the detail and substring searches). */
async function seed(engine: RequestLogEngine, now: number): Promise<{ seconds: number; middle: RequestRecord }> {
  const rand = prng(42);
  const started = process.hrtime.bigint();
  let middle: RequestRecord | undefined;
  for (let i = 0; i < TOTAL; i += BATCH) {
    const batch: RequestRecord[] = [];
    for (let j = i; j < Math.min(TOTAL, i + BATCH); j++) batch.push(recordAt(j, now, rand));
    middle ??= i + BATCH >= TOTAL / 2 ? batch[Math.floor(batch.length / 2)] : undefined;
    await engine.write(batch);
    if ((i / BATCH) % 20 === 0) process.stdout.write(`\r  seeding ${engine.kind}: ${(i + batch.length).toLocaleString('en')} / ${TOTAL.toLocaleString('en')}`);
  }
  process.stdout.write('\n');
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, middle: middle! };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key: ADMIN_KEY }).toString(),
  });
  if (res.status !== 303) throw new Error(`login answered ${res.status}`);
  return res.headers.get('set-cookie')!.split(';')[0];
}

interface Row {
  store: string;
  endpoint: string;
  rows: number;
  median: number;
  p95: number;
}

async function time(base: string, cookie: string, store: string, endpoint: string): Promise<Row> {
  const ms: number[] = [];
  let rows = 0;
  // One untimed call first: the first read opens the connection and warms the page cache.
  for (let i = 0; i <= RUNS; i++) {
    const started = process.hrtime.bigint();
    const res = await fetch(`${base}${endpoint}`, { headers: { cookie } });
    const body = (await res.json()) as { data?: unknown[]; points?: unknown[]; attempts?: unknown[] };
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.status !== 200) throw new Error(`${endpoint} answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    rows = body.data?.length ?? body.points?.length ?? body.attempts?.length ?? 0;
    if (i > 0) ms.push(elapsed);
  }
  ms.sort((a, b) => a - b);
  return { store, endpoint, rows, median: quantile(ms, 0.5), p95: quantile(ms, 0.95) };
}

async function measure(store: string, storeUrl: string, dir: string, middle: RequestRecord): Promise<Row[]> {
  const config = `server:
  host: 127.0.0.1
  port: 0
  dashboard: { enabled: true, store: "${storeUrl}" }
providers:
  demo: { api: mock }
models:
  chat: { targets: [ { provider: demo, model: echo } ] }
plugins:
  - use: auth
    admin_key: "${ADMIN_KEY}"
    keys: [ { name: team-00, key: "bench-team-key-00000000" } ]
`;
  const file = path.join(dir, `proxy-${store}.yaml`);
  fs.writeFileSync(file, config);
  const { port, proc } = await startChild([path.join(DIST, 'cli.js'), 'start', '--config', file, '--log-format', 'json'], jsonPort);
  const base = `http://127.0.0.1:${port}`;
  const cookie = await login(base);
  const q = encodeURIComponent(middle.id.slice(9, 18));
  const endpoints = [
    '/ui/api/overview?range=hour',
    '/ui/api/overview?range=day',
    '/ui/api/overview?range=week',
    '/ui/api/requests',
    '/ui/api/requests?key=team-07',
    '/ui/api/requests?alias=embed',
    '/ui/api/requests?provider=gemini',
    '/ui/api/requests?status=ok',
    '/ui/api/requests?status=error',
    '/ui/api/requests?status=429',
    '/ui/api/requests?alias=embed&status=502',
    `/ui/api/requests?before=${middle.time}&before_id=${middle.id}`,
    `/ui/api/requests?q=${q}`,
    `/ui/api/requests?q=${q}&before=${middle.time + 1}`,
    `/ui/api/requests?q=${middle.id}`,
    `/ui/api/request?id=${middle.id}`,
  ];
  const rows: Row[] = [];
  for (const e of endpoints) rows.push(await time(base, cookie, store, e));
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  return rows;
}

function reachable(url: string): Promise<boolean> {
  if (url === 'off') return Promise.resolve(false);
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || 5432) });
    s.setTimeout(1000, () => (s.destroy(), resolve(false)));
    s.on('connect', () => (s.end(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}

function print(rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r.endpoint.length));
  console.log(
    `\n  ${'store'.padEnd(9)}${'endpoint'.padEnd(width + 2)}${'rows'.padStart(6)}${'median ms'.padStart(11)}${'p95 ms'.padStart(9)}  vs ${TARGET_MS} ms`,
  );
  for (const r of rows) {
    const verdict = r.p95 <= TARGET_MS ? 'ok' : 'OVER';
    console.log(
      `  ${r.store.padEnd(9)}${r.endpoint.padEnd(width + 2)}${String(r.rows).padStart(6)}${r.median.toFixed(1).padStart(11)}${r.p95.toFixed(1).padStart(9)}  ${verdict}`,
    );
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-dashboard-'));
  const now = Date.now();
  const rows: Row[] = [];
  console.log(`bench:dashboard: ${TOTAL.toLocaleString('en')} requests over ${DAYS} days, ${RUNS} runs per endpoint (${os.cpus().length} CPUs)`);
  try {
    const kept = process.env.BENCH_DASHBOARD_SQLITE;
    const file = kept ? path.resolve(kept) : path.join(dir, 'requests.db');
    const reuse = kept !== undefined && fs.existsSync(file);
    const sqlite = new SqliteRequestEngine(file);
    let middle: RequestRecord;
    if (reuse) {
      // A kept file: the middle of the week before its newest record.
      const [newest] = await sqlite.list({}, 1);
      [middle] = await sqlite.list({ before: newest.time - (DAYS * 86_400_000) / 2 }, 1);
      console.log(`  sqlite: reusing ${file}`);
    } else {
      const seeded = await seed(sqlite, now);
      middle = seeded.middle;
      const bytes = fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
      console.log(
        `  sqlite: seeded in ${seeded.seconds.toFixed(1)} s (${Math.round(TOTAL / seeded.seconds).toLocaleString('en')} records/s), ${(bytes / 2 ** 20).toFixed(0)} MiB`,
      );
    }
    await sqlite.close();
    rows.push(...(await measure('sqlite', `sqlite://${file}`, dir, middle)));

    if (await reachable(PG_URL)) {
      const table = `bench_dashboard_${process.pid}`;
      const pg = new PostgresRequestEngine(PG_URL, table);
      try {
        const pgSeeded = await seed(pg, now);
        console.log(`  postgres: seeded in ${pgSeeded.seconds.toFixed(1)} s (${Math.round(TOTAL / pgSeeded.seconds).toLocaleString('en')} records/s)`);
        const pool = new Pool({ connectionString: PG_URL });
        await pool.query(`VACUUM ANALYZE ${requestLogTables(table).join(', ')}`);
        await pool.end();
        const url = new URL(PG_URL);
        url.searchParams.set('table', table);
        rows.push(...(await measure('postgres', url.toString(), dir, pgSeeded.middle)));
      } finally {
        await pg.close();
        const pool = new Pool({ connectionString: PG_URL });
        await pool.query(`DROP TABLE IF EXISTS ${requestLogTables(table).join(', ')}`);
        await pool.end();
      }
    } else console.log(PG_URL === 'off' ? '  postgres: off' : `  postgres: not reachable at ${new URL(PG_URL).host}; skipped`);
  } finally {
    stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  print(rows);
}

main().catch((err: unknown) => {
  console.error(err);
  stopAll();
  process.exit(1);
});
