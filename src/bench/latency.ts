#!/usr/bin/env node
/**
 * `npm run bench:latency`: where the gateway's added latency at one connection comes from. Measures, in
 * alternating rounds (direct, minimal proxy, buffered undici pass-through, gateway without plugins), the p50
 * of each path, and reports each proxy's added p50 over calling the fake upstream directly.
 *
 * The buffered pass-through (buffered-proxy.ts) does the gateway's network plumbing and nothing else, so:
 *   gateway − buffered pass-through = the gateway's own work (parsing, routing, answering, accounting)
 *   minimal proxy − buffered pass-through = what piping through Node's http client costs over that plumbing
 *
 *   BENCH_LATENCY_ROUNDS  rounds (default 5); BENCH_LATENCY_N  samples per path per round (default 2000)
 */
import path from 'node:path';
import { latency, LATENCY_SAMPLES } from './one-connection';
import { jsonPort, median, scenarios, startBaseline, startChild, startGateway, stopAll } from './setup';

const ROUNDS = Number(process.env.BENCH_LATENCY_ROUNDS ?? 5);
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

async function main(): Promise<void> {
  const { upstream, minimal } = await startBaseline();
  const buffered = await startChild([path.join(__dirname, 'buffered-proxy.js'), '--upstream', `127.0.0.1:${upstream.port}`], jsonPort);
  const gateway = await startGateway(upstream.port, scenarios[0]);
  if (!gateway) throw new Error('the gateway did not start');
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const paths = [
    { name: 'minimal Node pass-through', url: url(minimal.port), added: [] as number[] },
    { name: 'buffered undici pass-through', url: url(buffered.port), added: [] as number[] },
    { name: 'gateway, no plugins', url: url(gateway.port), added: [] as number[] },
  ];
  console.log(`Added p50 at 1 connection: ${ROUNDS} alternating rounds of ${LATENCY_SAMPLES} requests per path\n`);
  await latency(url(upstream.port), {});
  for (const p of paths) await latency(p.url, {});
  for (let round = 0; round < ROUNDS; round++) {
    const direct = (await latency(url(upstream.port), {})).p50;
    for (const p of paths) p.added.push((await latency(p.url, {})).p50 - direct);
    console.log(`round ${round + 1}: direct ${fmt(direct)}, added ${paths.map((p) => `${p.name} ${fmt(p.added[round])}`).join(', ')}`);
  }
  const [minimalAdded, bufferedAdded, gatewayAdded] = paths.map((p) => median(p.added));
  console.log('\n| path | added p50 vs direct (median of rounds) |\n| --- | ---: |');
  for (const p of paths) console.log(`| ${p.name} | ${fmt(median(p.added))} |`);
  console.log(`\ngateway's own work: ${fmt(gatewayAdded - bufferedAdded)}; minimal proxy over the buffered pass-through: ${fmt(minimalAdded - bufferedAdded)}`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(stopAll);
