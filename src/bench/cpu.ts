#!/usr/bin/env node
/**
 * `npm run bench:cpu`: CPU time per request of the minimal pass-through and of the gateway in each benchmark
 * scenario, read from the kernel's accounting of the proxy process (`/proc/<pid>/stat`, user + system time of
 * every thread, garbage collector and libuv pool included).
 *
 * Why next to `npm run bench`: requests/s on a shared 2-core machine move with the neighbours' load, while
 * the CPU a process spends per request moves much less; it is the figure to compare changes with. Linux only.
 *
 *   BENCH_CPU_REQUESTS  requests per measured run (default 20000); three runs per process after a warm-up
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Pool } from 'undici';
import { chatBody, median, scenarios, startBaseline, startGateway, stopAll } from './setup';

const REQUESTS = Number(process.env.BENCH_CPU_REQUESTS ?? 20_000);
const CONNECTIONS = 16;
/** Kernel clock ticks per second: what /proc reports CPU time in (100 on Linux). */
const TICKS_PER_S = 100;

/** CPU time the process has used so far, in µs. */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_S) * 1e6;
}

/** Sends `n` chat requests (distinct prompts) over CONNECTIONS keep-alive connections. */
async function drive(url: string, headers: Record<string, string>, n: number): Promise<void> {
  const pool = new Pool(url, { connections: CONNECTIONS });
  let sent = 0;
  const worker = async () => {
    while (sent < n) {
      sent++;
      const res = await pool.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: chatBody(),
      });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode} from ${url}`);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  await pool.close();
}

/** µs of CPU per request for the process `pid` serving `url`, one figure per run. */
async function perRequest(pid: number, url: string, headers: Record<string, string>): Promise<number[]> {
  await drive(url, headers, Math.min(5000, REQUESTS)); // warm-up: JIT, pools
  const runs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const before = cpuMicros(pid);
    await drive(url, headers, REQUESTS);
    runs.push((cpuMicros(pid) - before) / REQUESTS);
  }
  return runs;
}

const row = (name: string, runs: number[], base?: number) =>
  `| ${name} | ${runs.map((r) => r.toFixed(0)).join(' / ')} | ${median(runs).toFixed(0)} | ${base ? `${(median(runs) / base).toFixed(2)}×` : ''} |`;

async function main(): Promise<void> {
  console.log(`Switchyard CPU per request: ${os.cpus().length} cores, Node ${process.version}, ${REQUESTS} requests × 3 runs at ${CONNECTIONS} connections\n`);
  console.log('| process | µs CPU per request (3 runs) | median | vs minimal proxy |\n| --- | ---: | ---: | ---: |');
  const { upstream, minimal } = await startBaseline();
  const baseline = await perRequest(minimal.proc.pid!, `http://127.0.0.1:${minimal.port}`, {});
  console.log(row('minimal Node pass-through', baseline));
  for (const scenario of scenarios) {
    const gw = await startGateway(upstream.port, scenario);
    if (!gw) continue;
    console.log(row(scenario.name, await perRequest(gw.proc.pid!, `http://127.0.0.1:${gw.port}`, scenario.headers), median(baseline)));
    gw.proc.kill('SIGTERM');
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(stopAll);
