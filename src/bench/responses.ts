#!/usr/bin/env node
/**
 * `npm run bench:responses`: what the Responses API costs on top of chat. One gateway in front of the fake
 * OpenAI; requests/s at 32 connections for POST /v1/chat/completions and for the same prompt as POST
 * /v1/responses bridged to chat (stored in the memory store, and with `store: false`), runs alternating so drift
 * on a shared host cancels out; the reported figures are medians over BENCH_PAIRS rounds.
 */
import autocannon from 'autocannon';
import { median, startBaseline, startGateway, stopAll } from './setup';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);

let n = 0;
const bodies: Record<string, { path: string; body: () => string }> = {
  'chat/completions': {
    path: '/v1/chat/completions',
    body: () => JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: `benchmark prompt ${n++}` }] }),
  },
  'responses (stored)': { path: '/v1/responses', body: () => JSON.stringify({ model: 'bench', input: `benchmark prompt ${n++}` }) },
  'responses (store: false)': { path: '/v1/responses', body: () => JSON.stringify({ model: 'bench', input: `benchmark prompt ${n++}`, store: false }) },
};

async function run(url: string, path: string, body: () => string, seconds: number): Promise<number> {
  const result = await autocannon({
    url: `${url}${path}`,
    connections: 32,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
  });
  if (result.non2xx > 0 || result.errors > 0) console.error(`  warning: ${result.non2xx} non-2xx, ${result.errors} errors on ${path}`);
  return result.requests.average;
}

async function main(): Promise<void> {
  const { upstream } = await startBaseline();
  const gw = await startGateway(upstream.port, { name: 'responses', extraConfig: 'responses: { store: memory }\n', headers: {} });
  if (!gw) throw new Error('the gateway did not start');
  const url = `http://127.0.0.1:${gw.port}`;
  for (const b of Object.values(bodies)) await run(url, b.path, b.body, 1); // warm-up: JIT, pools
  const rates: Record<string, number[]> = {};
  for (let i = 0; i < PAIRS; i++) {
    for (const [name, b] of Object.entries(bodies)) (rates[name] ??= []).push(await run(url, b.path, b.body, DURATION_S));
  }
  const chat = median(rates['chat/completions']);
  console.log(`requests/s at 32 connections, median of ${PAIRS} × ${DURATION_S}s (fake upstream, no plugins):`);
  for (const [name, r] of Object.entries(rates))
    console.log(`  ${name.padEnd(26)} ${Math.round(median(r)).toString().padStart(7)}  (${((median(r) / chat) * 100).toFixed(0)}% of chat)`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(stopAll);
