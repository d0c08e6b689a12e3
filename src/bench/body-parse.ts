#!/usr/bin/env node
/**
 * `npm run bench:body`: how long the body reader's parse step (UTF-8 check, nesting pre-scan, JSON.parse:
 * `parseJsonBytes` in server/body-reader.ts) holds the event loop, in ms per MB, for three body shapes: a normal
 * chat request (long messages), a wide one (many tiny messages) and a deep one (5 million nested arrays, which
 * the pre-scan refuses). The whole step is synchronous, so each run's duration is the loop stall it causes.
 * `--compare` also times the previous way (JSON.parse first, then a walk of the parsed value) on the same bodies.
 *
 * Then the worst case the limits admit: per shape, the largest body that passes both the default size limit
 * (server.max_body_mb) and the node limit (server.max_json_nodes), and the stall its parse causes. That is the
 * figure docs/deploy.md quotes: the longest one request's body can hold the event loop.
 *
 *   BENCH_BODY_MB    size of each body in MB (default 10)
 *   BENCH_BODY_RUNS  runs per shape, the median is reported (default 5)
 */
import { configSchema } from '../config/schema';
import { DEFAULT_MAX_JSON_NODES, MAX_JSON_DEPTH, parseJsonBytes } from '../server/body-reader';
import { median } from './setup';

const MB = Number(process.env.BENCH_BODY_MB ?? 10);
const RUNS = Number(process.env.BENCH_BODY_RUNS ?? 5);
const BYTES = MB * 1024 * 1024;

/** A chat body of about `bytes`, made of `count` messages of equal length. */
function chatBodyOf(bytes: number, count: number): Buffer {
  const content = 'lorem ipsum dolor sit amet '.repeat(Math.max(1, Math.floor(bytes / count / 27)));
  const messages = Array.from({ length: count }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: count > 1000 ? 'x' : content }));
  return Buffer.from(JSON.stringify({ model: 'chat', messages }));
}

function deepBody(bytes: number): Buffer {
  const half = Math.floor(bytes / 2);
  return Buffer.from('['.repeat(half) + ']'.repeat(half));
}

/** A wide chat body of exactly `nodes` JSON nodes (root, messages array, model and messages keys, 3 per message). */
function wideBodyOf(nodes: number): Buffer {
  return chatBodyOf(0, Math.floor((nodes - 4) / 3));
}

/** One object of `keys` distinct keys (the parser's slowest node: a property of an object in dictionary mode). */
function flatObjectOf(keys: number): Buffer {
  return Buffer.from(`{${Array.from({ length: keys }, (_, i) => `"k${i}":1`).join(',')}}`);
}

/** An array of one-digit numbers filling `bytes`: scalars are not counted, so only the size limit bounds them. */
function numbersOf(bytes: number): Buffer {
  return Buffer.from(`[${'1,'.repeat(Math.floor(bytes / 2) - 2)}1]`);
}

/** The previous parse: JSON.parse, then the bounded walk of the value (what main did). */
function parseThenWalk(raw: Buffer): unknown {
  const value: unknown = JSON.parse(raw.toString('utf8'));
  const deeper = (v: unknown, depth: number): boolean => {
    if (v === null || typeof v !== 'object') return false;
    if (depth >= MAX_JSON_DEPTH) return true;
    for (const child of Object.values(v as Record<string, unknown>)) if (deeper(child, depth + 1)) return true;
    return false;
  };
  if (deeper(value, 0)) throw new Error('too deep');
  return value;
}

/** Median ms of `RUNS` calls of `parse` on `body` (a refusal counts: it is the answer). */
function time(parse: (raw: Buffer) => unknown, body: Buffer, runs: number): { ms: number; outcome: string } {
  const times: number[] = [];
  let outcome = 'parsed';
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    try {
      parse(body);
    } catch (err) {
      outcome = `refused (${(err as { code?: string }).code ?? (err as Error).message})`;
    }
    times.push(performance.now() - started);
  }
  return { ms: median(times), outcome };
}

function main(): void {
  const shapes: [string, Buffer][] = [
    ['normal (200 long messages)', chatBodyOf(BYTES, 200)],
    ['wide (tiny messages)', chatBodyOf(BYTES, Math.floor(BYTES / 34))],
    ['deep (nested arrays)', deepBody(BYTES)],
  ];
  const compare = process.argv.includes('--compare');
  console.log(`body parse, ${RUNS} runs each, median; node ${process.version}`);
  for (const [name, body] of shapes) {
    const mb = body.length / (1024 * 1024);
    const now = time(parseJsonBytes, body, RUNS);
    let line = `${name.padEnd(28)} ${mb.toFixed(1).padStart(5)} MB  ${now.ms.toFixed(1).padStart(8)} ms  ${(now.ms / mb).toFixed(2).padStart(7)} ms/MB  ${now.outcome}`;
    if (compare) {
      // One run: the deep body takes seconds this way.
      const before = time(parseThenWalk, body, name.startsWith('deep') ? 1 : RUNS);
      line += `   | before: ${before.ms.toFixed(1)} ms, ${(before.ms / mb).toFixed(2)} ms/MB`;
    }
    console.log(line);
  }
  const server = configSchema.properties.server.properties;
  const maxBytes = server.max_body_mb.default * 1024 * 1024;
  const maxNodes = server.max_json_nodes.default;
  if (maxNodes !== DEFAULT_MAX_JSON_NODES) throw new Error('schema default and DEFAULT_MAX_JSON_NODES differ');
  const admitted = (raw: Buffer) => parseJsonBytes(raw, maxNodes);
  console.log(`\nlargest admissible body per shape (max_body_mb ${server.max_body_mb.default}, max_json_nodes ${maxNodes}): worst-case stall`);
  const worst: [string, Buffer][] = [
    ['normal (200 long messages)', chatBodyOf(maxBytes - 65536, 200)],
    [`wide (${Math.floor((maxNodes - 4) / 3)} tiny messages)`, wideBodyOf(maxNodes)],
    [`flat object (${maxNodes - 1} keys)`, flatObjectOf(maxNodes - 1)],
    ['numbers (one array)', numbersOf(maxBytes)],
    ['wide, one node over', wideBodyOf(maxNodes + 3)],
  ];
  for (const [name, body] of worst) {
    if (body.length > maxBytes) throw new Error(`${name}: ${body.length} bytes is over max_body_mb`);
    const mb = body.length / (1024 * 1024);
    const r = time(admitted, body, RUNS);
    console.log(`${name.padEnd(28)} ${mb.toFixed(1).padStart(5)} MB  ${r.ms.toFixed(1).padStart(8)} ms  ${r.outcome}`);
  }
}

main();
