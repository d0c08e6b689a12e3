#!/usr/bin/env node
/**
 * `npm run bench:sse`: what the SSE parser costs on the longest event it accepts. Parses one event just under
 * the 16 MiB cap, arriving in 64 KiB pieces, and compares that with only reading the same pieces (UTF-8 decoding,
 * which any reader of the stream pays). A linear parser stays within a small factor of the read; one that rescans
 * its buffer on every piece costs seconds here.
 *
 *   BENCH_SSE_RUNS  runs of each, the median is printed (default 5)
 */
import { MAX_SSE_EVENT_CHARS, SseParser } from '../upstream/sse';
import { median } from './setup';

const PIECE_BYTES = 64 * 1024;
const RUNS = Number(process.env.BENCH_SSE_RUNS ?? 5);

/** One `data:` event of just under MAX_SSE_EVENT_CHARS, cut into 64 KiB pieces as a network read would. */
function eventPieces(): Buffer[] {
  const head = 'data: ';
  const tail = '\n\n';
  const event = Buffer.from(head + 'x'.repeat(MAX_SSE_EVENT_CHARS - head.length - tail.length) + tail, 'utf8');
  const pieces: Buffer[] = [];
  for (let at = 0; at < event.length; at += PIECE_BYTES) pieces.push(event.subarray(at, at + PIECE_BYTES));
  return pieces;
}

function msOf(fn: () => void): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

function readOnly(pieces: Buffer[]): void {
  const decoder = new TextDecoder('utf-8');
  let chars = 0;
  for (const piece of pieces) chars += decoder.decode(piece, { stream: true }).length;
  if (chars !== MAX_SSE_EVENT_CHARS) throw new Error(`read ${chars} characters`);
}

function parse(pieces: Buffer[]): void {
  const parser = new SseParser();
  let events = 0;
  for (const piece of pieces) events += parser.push(piece).length;
  if (events !== 1) throw new Error(`parsed ${events} events`);
}

function main(): void {
  const pieces = eventPieces();
  readOnly(pieces); // warm-up
  parse(pieces);
  const read: number[] = [];
  const parsed: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    read.push(msOf(() => readOnly(pieces)));
    parsed.push(msOf(() => parse(pieces)));
  }
  const r = median(read);
  const p = median(parsed);
  console.log(
    `SSE parse of one ${(MAX_SSE_EVENT_CHARS / 1024 / 1024).toFixed(0)} MiB event in ${pieces.length} pieces of ${PIECE_BYTES / 1024} KiB (median of ${RUNS})`,
  );
  console.log(`  read only: ${r.toFixed(1)} ms`);
  console.log(`  parse:     ${p.toFixed(1)} ms  (${(p / r).toFixed(1)}x the read)`);
}

main();
