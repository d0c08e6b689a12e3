#!/usr/bin/env node
/**
 * `node dist/bench/cpu-side-by-side.js <other build's dist> [scenario]`: CPU per request of this build's gateway and
 * another build's, both running at once and driven together, round after round, with each round's ratio.
 *
 * Why next to `npm run bench:cpu`: on the shared 2-core machine a neighbour's load moves one run's µs per request
 * by ±10%, so two builds measured one after the other differ by more than a change of a few µs. Running side by
 * side, both gateways share whatever load there is. A round's ratio still moves by ±6% (this build against itself,
 * 8 rounds: 0.93–1.04, median 1.000), so read the median of 8 or more rounds, good to ~2–3%. The absolute µs are
 * higher than bench:cpu's (the gateways compete for the cores); compare the ratios only.
 *
 *   BENCH_CPU_REQUESTS  requests per gateway per round (default 10000); BENCH_CPU_ROUNDS rounds (default 8)
 *   scenario: index into setup.ts's scenarios (default 2, all four built-in plugins)
 *
 * @example node dist/bench/cpu-side-by-side.js /tmp/base/dist
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'undici';
import * as setup from './setup';

const REQUESTS = Number(process.env.BENCH_CPU_REQUESTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_CPU_ROUNDS ?? 8);
const CONNECTIONS = 6;

/** Each build's setup module: each one stops the processes it started. */
const setups: (typeof setup)[] = [setup];

/** CPU time the process has used so far, in µs (user + system, from /proc; 100 ticks per second). */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 1e4;
}

interface Build {
  label: string;
  setup: typeof setup;
  pid: number;
  port: number;
  perRequest: number[];
}

async function drive(build: Build, scenario: number, n: number): Promise<void> {
  const headers = { 'content-type': 'application/json', ...build.setup.scenarios[scenario].headers };
  const pool = new Pool(`http://127.0.0.1:${build.port}`, { connections: CONNECTIONS });
  let sent = 0;
  const worker = async () => {
    while (sent < n) {
      sent++;
      const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers, body: build.setup.chatBody() });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode} from ${build.label}`);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  await pool.close();
}

async function main(): Promise<void> {
  const otherDist = process.argv[2];
  const scenario = Number(process.argv[3] ?? 2);
  if (!otherDist) throw new Error('usage: node dist/bench/cpu-side-by-side.js <other build dist directory> [scenario]');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the other build's own setup starts its own gateway
  const otherSetup = require(path.resolve(otherDist, 'bench/setup.js')) as typeof setup;
  setups.push(otherSetup);
  const { upstream, minimal } = await setup.startBaseline();
  minimal.proc.kill('SIGTERM');
  const builds: Build[] = [];
  for (const [label, s] of [
    ['this build', setup],
    [otherDist, otherSetup],
  ] as const) {
    const gw = await s.startGateway(upstream.port, s.scenarios[scenario]);
    if (!gw) throw new Error(`${label}: the gateway did not start`);
    builds.push({ label, setup: s, pid: gw.proc.pid!, port: gw.port, perRequest: [] });
  }
  console.log(`${setup.scenarios[scenario].name}: ${REQUESTS} requests per gateway per round, ${CONNECTIONS} connections each\n`);
  console.log(`| round | this build µs | ${otherDist} µs | ratio |\n| ---: | ---: | ---: | ---: |`);
  await Promise.all(builds.map((b) => drive(b, scenario, 3000))); // warm-up: JIT, pools
  const ratios: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const before = builds.map((b) => cpuMicros(b.pid));
    await Promise.all(builds.map((b) => drive(b, scenario, REQUESTS)));
    builds.forEach((b, i) => b.perRequest.push((cpuMicros(b.pid) - before[i]) / REQUESTS));
    const [mine, other] = builds.map((b) => b.perRequest[round - 1]);
    ratios.push(mine / other);
    console.log(`| ${round} | ${mine.toFixed(0)} | ${other.toFixed(0)} | ${(mine / other).toFixed(3)} |`);
  }
  console.log(`\nmedian ratio (this build / other): ${setup.median(ratios).toFixed(3)}`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => setups.forEach((s) => s.stopAll()));
