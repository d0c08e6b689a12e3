#!/usr/bin/env node
/**
 * `npm run bench:replay`: how fast `switchyard replay` goes through a recorded log. It writes N synthetic records
 * (three aliases, a 10% failing primary with a fallback, tool requests for a rule) to a SQLite request log in a
 * temporary folder, then times the store's scan alone, the replay from the SQLite file (the engine and two scans) under a
 * candidate with a weighted alias, rules and a fallback, and the replay from an array in memory (the engine alone).
 *
 *   npm run bench:replay -- 1000000   records (default 200000; or BENCH_REPLAY_RECORDS)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCandidate } from '../replay/candidate';
import { replay } from '../replay/replay';
import { recordSource } from '../replay/source';
import { SqliteRequestEngine } from '../stores/request-log/sqlite-request-log';
import type { RequestRecord } from '../stores/request-log/request-record';

const N = Number(process.argv[2] ?? process.env.BENCH_REPLAY_RECORDS ?? 200_000);
const T0 = Date.parse('2026-11-01T00:00:00Z');

function record(i: number): RequestRecord {
  const alias = ['chat', 'agent', 'auto'][i % 3];
  const failed = i % 10 === 0;
  const tools = i % 4 === 0;
  const attempts = [
    ...(failed ? [{ provider: 'openai', model: 'gpt-4o', status: 503, kind: 'status', latency_ms: 40, ok: false }] : []),
    { provider: failed ? 'deepseek' : 'openai', model: failed ? 'deepseek-chat' : 'gpt-4o', status: 200, ttfb_ms: 300, latency_ms: 900, ok: true },
  ];
  return {
    id: `bench_${String(i).padStart(8, '0')}`,
    time: T0 + i * 10,
    endpoint: 'chat',
    key: `team-${i % 7}`,
    alias,
    provider: attempts.at(-1)!.provider,
    model: attempts.at(-1)!.model,
    status: 200,
    stream: i % 2 === 0,
    latency_ms: 950,
    ttfb_ms: 300,
    prompt_tokens: 800 + (i % 500),
    completion_tokens: 150 + (i % 200),
    cached_tokens: i % 5 === 0 ? 512 : undefined,
    cost_usd: 0.004,
    attempts,
    features: { has_tools: tools, has_images: false, structured_output: false, estimated_prompt_tokens: 790 + (i % 500), complexity: (i % 10) / 10 },
    metadata: { team: `t${i % 3}` },
  };
}

const CANDIDATE = `
providers:
  openai: { api: openai, base_url: https://api.openai.com/v1 }
  deepseek: { api: openai, base_url: https://api.deepseek.com/v1 }
models:
  chat: { targets: [ { provider: openai, model: gpt-4o-mini, weight: 3 }, { provider: deepseek, model: deepseek-chat, weight: 1 } ] }
  agent: { strategy: ordered, targets: [ { provider: openai, model: gpt-4o } ], fallbacks: [chat] }
  auto:
    route:
      - { when: { has_tools: true }, to: agent }
      - { when: { complexity: complex }, to: agent }
      - { to: chat }
`;

async function timed(label: string, run: () => Promise<unknown>): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const start = performance.now();
  await run();
  const ms = performance.now() - start;
  // RSS after less before: what the run kept (the records array of the memory run is allocated before it).
  const mb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  console.log(
    `  ${label.padEnd(8)} ${ms.toFixed(0).padStart(6)} ms   ${Math.round((N / ms) * 1000).toLocaleString('en')} records/s   ${mb.toFixed(0)} MB more RSS`,
  );
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-replay-'));
  const engine = new SqliteRequestEngine(path.join(dir, 'requests.db'));
  // Written in batches made on the fly: a million records held in memory would make every GC of the SQLite
  // runs walk them, and slow those runs for a reason a real replay does not have.
  for (let i = 0; i < N; i += 5000) await engine.write(Array.from({ length: Math.min(5000, N - i) }, (_, j) => record(i + j)));
  const candidate = loadCandidate(CANDIDATE, 'candidate.yaml');
  const window = { since: T0, until: T0 + N * 10 + 1 };
  console.log(`replay of ${N.toLocaleString('en')} records (Node ${process.version}, ${os.cpus().length} CPUs)`);
  await timed('scan', async () => {
    // The store's read alone, once: what the SQLite figure spends beyond the engine.
    for await (const r of engine.scan(window.since, window.until)) void r;
  });
  await timed('sqlite', () => replay(engine, candidate, window));
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const records = Array.from({ length: N }, (_, i) => record(i));
  await timed('memory', () => replay(recordSource(records), candidate, window));
}

void main();
