#!/usr/bin/env node
/**
 * `npm run bench:complexity`: CPU per request of the prompt-complexity score (routing/complexity.ts) on four
 * prompt shapes, from a greeting to a 60 kB pasted document with code. Prints µs per score; the issue asks
 * for "well under 50 µs".
 */
import { complexityOf } from '../routing/complexity';
import type { ChatRequest } from '../providers/openai-types';

const filler = (s: string, bytes: number) => s.repeat(Math.ceil(bytes / s.length)).slice(0, bytes);
const user = (content: string): Partial<ChatRequest> => ({ messages: [{ role: 'user', content }] });

const CASES: [string, Partial<ChatRequest>][] = [
  ['greeting', user('hi there')],
  ['question (300 B)', user('Compare three approaches to rate limiting in a distributed system and recommend one. Why? ' + filler('More detail. ', 200))],
  [
    'conversation (10 turns, 8 kB)',
    {
      messages: Array.from(
        { length: 10 },
        (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: filler(`Turn ${i}: some prose, numbers 12 and 34. `, 800) }) as const,
      ),
      tools: [{ type: 'function', function: { name: 'lookup' } }],
    },
  ],
  [
    'pasted document (60 kB, code)',
    user(filler('function f(x) { return x * 2; }\nSome explanation of the code follows here. ', 60_000) + '\nWhy does this fail?'),
  ],
];

function main(): void {
  for (const [name, body] of CASES) {
    const rounds = 20_000;
    for (let i = 0; i < 2_000; i++) complexityOf(body);
    const start = process.hrtime.bigint();
    let sink = 0;
    for (let i = 0; i < rounds; i++) sink += complexityOf(body).score;
    const us = Number(process.hrtime.bigint() - start) / 1e3 / rounds;
    console.log(`${name.padEnd(34)} ${us.toFixed(2).padStart(7)} µs per score  (score ${(sink / rounds).toFixed(2)})`);
  }
}

main();
