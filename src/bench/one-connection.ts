/**
 * Latency at one connection, shared by `npm run bench` and `npm run bench:latency`: sequential requests over
 * one keep-alive connection, timed with hrtime, after a warm-up.
 */
import { Pool } from 'undici';
import { chatBody } from './setup';

/** Timed requests per measurement (BENCH_LATENCY_N), after 200 warm-up requests. */
export const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_N ?? 2000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * p50/p99 in ms of the whole answer (or, with `stream`, of its first byte).
 *
 * @example const { p50 } = await latency('http://127.0.0.1:4000', {});
 */
export async function latency(url: string, headers: Record<string, string>, stream = false): Promise<{ p50: number; p99: number }> {
  const pool = new Pool(url, { connections: 1 });
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES + 200; i++) {
    const start = process.hrtime.bigint();
    const res = await pool.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: chatBody(stream),
    });
    let firstByte: bigint | undefined;
    for await (const _ of res.body) firstByte ??= process.hrtime.bigint();
    const end = stream ? (firstByte ?? process.hrtime.bigint()) : process.hrtime.bigint();
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode} from ${url}`);
    if (i >= 200) samples.push(Number(end - start) / 1e6);
  }
  await pool.close();
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}
