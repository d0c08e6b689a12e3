#!/usr/bin/env node
/**
 * `npm run bench`: measures Switchyard against calling the fake upstream directly and against a minimal Node
 * pass-through proxy, all in one run on the same machine, so the ratios are meaningful even on a noisy host.
 *
 *   throughput  requests/s at 32 connections (autocannon), each request a distinct prompt (no cache hits)
 *   latency     p50/p99 at 1 connection (sequential requests timed with hrtime), and the gateway's added p50
 *   streaming   time to first byte of a stream at 1 connection, and 1,000 concurrent streams
 *
 * Each scenario alternates with the baseline (see comparedThroughput), so drift on a shared host cancels out.
 * Scenarios: the gateway with no plugins; with retries and cooldown configured; with the four built-in
 * plugins (memory stores). A scenario whose config this build does not accept is reported as skipped.
 */
import os from 'node:os';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { latency, LATENCY_SAMPLES } from './one-connection';
import { chatBody, median, scenarios, startBaseline, startGateway, stopAll } from './setup';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
/** Baseline/scenario run pairs per scenario; the reported ratio is their median. */
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);

async function throughputRun(url: string, headers: Record<string, string>, seconds: number): Promise<number> {
  const result = await autocannon({
    url: `${url}/v1/chat/completions`,
    connections: 32,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    requests: [{ setupRequest: (req) => ({ ...req, body: chatBody() }) }],
  });
  if (result.non2xx > 0 || result.errors > 0) console.error(`  warning: ${result.non2xx} non-2xx, ${result.errors} errors at ${url}`);
  return result.requests.average;
}

/**
 * Requests/s at 32 connections: a short warm-up (JIT, pools), then the better of two runs, because this shared
 * machine has noisy neighbours and a single run can land on a bad second.
 */
async function throughput(url: string, headers: Record<string, string>): Promise<number> {
  await throughputRun(url, headers, 2);
  const runs = [await throughputRun(url, headers, DURATION_S), await throughputRun(url, headers, DURATION_S)];
  return Math.max(...runs);
}

/**
 * A scenario's throughput next to the baseline's, from alternating runs (baseline, scenario, baseline, …):
 * the capacity of a shared machine drifts by a factor of two over minutes, so only runs taken back to back
 * compare fairly. Reports the median of the pairwise ratios, and the median requests/s of each side.
 */
async function comparedThroughput(
  baselineUrl: string,
  url: string,
  headers: Record<string, string>,
): Promise<{ rps: number; baselineRps: number; ratio: number }> {
  await throughputRun(baselineUrl, {}, 2);
  await throughputRun(url, headers, 2);
  const baseline: number[] = [];
  const scenario: number[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    baseline.push(await throughputRun(baselineUrl, {}, DURATION_S));
    scenario.push(await throughputRun(url, headers, DURATION_S));
  }
  return { rps: median(scenario), baselineRps: median(baseline), ratio: median(scenario.map((r, i) => r / baseline[i])) };
}

/** Opens `n` streams at once and waits for all to finish; returns the wall time and how many failed. */
async function concurrentStreams(url: string, headers: Record<string, string>, n: number): Promise<{ ms: number; failed: number }> {
  const pool = new Pool(url, { connections: n });
  const start = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: n }, async () => {
      const res = await pool.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: chatBody(true),
      });
      const text = await res.body.text();
      if (res.statusCode !== 200 || !text.includes('[DONE]')) throw new Error(`stream failed: ${res.statusCode}`);
    }),
  );
  await pool.close();
  return { ms: performance.now() - start, failed: results.filter((r) => r.status === 'rejected').length };
}

const fmt = (n: number, d = 0) => n.toFixed(d);

/**
 * p50/p99 of `url` at one connection, and its added p50 over calling the upstream directly: three rounds of
 * direct-then-path, medians of the rounds. Every row is measured this way, so each "added" compares like with
 * like even as the machine's speed drifts between rows.
 */
async function latencyAgainst(direct: string, url: string, headers: Record<string, string>, stream = false) {
  const rounds: { direct: number; path: { p50: number; p99: number } }[] = [];
  for (let round = 0; round < 3; round++) rounds.push({ direct: (await latency(direct, {}, stream)).p50, path: await latency(url, headers, stream) });
  return {
    p50: median(rounds.map((r) => r.path.p50)),
    p99: median(rounds.map((r) => r.path.p99)),
    directP50: median(rounds.map((r) => r.direct)),
    added: median(rounds.map((r) => r.path.p50 - r.direct)),
  };
}

async function main(): Promise<void> {
  if (process.env.BENCH_ONLY === 'workers') {
    // Only the workers table (`BENCH_ONLY=workers npm run bench`): a few minutes instead of the whole run.
    const { upstream } = await startBaseline();
    return workerScaling(upstream.port);
  }
  console.log(
    `Switchyard benchmark: ${os.cpus().length} cores, Node ${process.version}, throughput: median of ${PAIRS} alternating baseline/gateway pairs of ${DURATION_S}s runs after 2s warm-ups; latency: ${LATENCY_SAMPLES} samples × 3 rounds, each round direct then through the path\n`,
  );
  const { upstream, minimal } = await startBaseline();
  const direct = `http://127.0.0.1:${upstream.port}`;
  const viaMinimal = `http://127.0.0.1:${minimal.port}`;

  const directRps = await throughput(direct, {});
  const minimalRps = await throughput(viaMinimal, {});
  const minimalLat = await latencyAgainst(direct, viaMinimal, {});
  console.log('| path | req/s @32 conns | vs minimal proxy | p50 ms @1 conn | p99 ms | added p50 vs direct |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  console.log(`| direct to fake upstream | ${fmt(directRps)} | | ${fmt(minimalLat.directP50, 3)} | | |`);
  console.log(
    `| minimal Node pass-through | ${fmt(minimalRps)} | 100% | ${fmt(minimalLat.p50, 3)} | ${fmt(minimalLat.p99, 3)} | ${fmt(minimalLat.added, 3)} ms |`,
  );

  const streamRows: string[] = [];
  for (const scenario of scenarios) {
    const gw = await startGateway(upstream.port, scenario);
    if (!gw) continue;
    const url = `http://127.0.0.1:${gw.port}`;
    const { rps, baselineRps, ratio } = await comparedThroughput(viaMinimal, url, scenario.headers);
    const lat = await latencyAgainst(direct, url, scenario.headers);
    console.log(
      `| ${scenario.name} | ${fmt(rps)} | ${fmt(ratio * 100)}% (of ${fmt(baselineRps)}) | ${fmt(lat.p50, 3)} | ${fmt(lat.p99, 3)} | ${fmt(lat.added, 3)} ms |`,
    );
    if (scenario === scenarios[0]) {
      const ttfb = await latencyAgainst(direct, url, scenario.headers, true);
      const many = await concurrentStreams(url, scenario.headers, 1000);
      streamRows.push(
        `| stream time to first byte, p50 @1 conn | direct ${fmt(ttfb.directP50, 3)} ms | gateway ${fmt(ttfb.p50, 3)} ms | added ${fmt(ttfb.added, 3)} ms |`,
      );
      streamRows.push(`| 1,000 concurrent streams through the gateway | ${fmt(many.ms)} ms wall | ${many.failed} failed | |`);
    }
    gw.proc.kill('SIGTERM');
  }
  console.log('\n| streaming | | | |\n| --- | --- | --- | --- |');
  for (const row of streamRows) console.log(row);
  await workerScaling(upstream.port);
}

/**
 * Throughput with 1 and 2 worker processes (`workers:`), alternating, in the same run: without plugins, and with
 * a provider concurrency limit (whose slots, with 2 workers, the primary keeps: two IPC messages per request). The
 * load generator runs in this process on the same cores, so its own CPU share is printed beside each figure: on a
 * 2-core machine it takes much of the second core, which caps what a second worker can add.
 */
async function workerScaling(upstreamPort: number): Promise<void> {
  const slots = (n: number) => `workers: ${n}\nplugins:\n  - use: rate-limit\n    store: memory\n`;
  const setups = [
    { label: 'no plugins', workers: 1, scenario: { name: '1 worker', extraConfig: 'workers: 1\n', headers: {} } },
    { label: 'no plugins', workers: 2, scenario: { name: '2 workers', extraConfig: 'workers: 2\n', headers: {} } },
    {
      label: 'concurrency limit',
      workers: 1,
      scenario: { name: '1 worker, slots', extraConfig: slots(1), headers: {}, providerLimits: '{ concurrency: 1000 }' },
    },
    {
      label: 'concurrency limit',
      workers: 2,
      scenario: { name: '2 workers, slots', extraConfig: slots(2), headers: {}, providerLimits: '{ concurrency: 1000 }' },
    },
  ];
  const rows: string[] = [];
  const results = new Map<string, { rps: number[]; loadCpu: number[] }>();
  const gateways = [];
  for (const s of setups) {
    const gw = await startGateway(upstreamPort, s.scenario);
    if (!gw) continue;
    // A second worker logs its own "listening" line a moment after the first.
    await new Promise((r) => setTimeout(r, 1500));
    gateways.push({ ...s, gw });
    results.set(s.scenario.name, { rps: [], loadCpu: [] });
  }
  for (const g of gateways) await throughputRun(`http://127.0.0.1:${g.gw.port}`, {}, 2);
  for (let pair = 0; pair < PAIRS; pair++) {
    for (const g of gateways) {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const rps = await throughputRun(`http://127.0.0.1:${g.gw.port}`, {}, DURATION_S);
      const cpu = process.cpuUsage(cpuBefore);
      const r = results.get(g.scenario.name)!;
      r.rps.push(rps);
      r.loadCpu.push((cpu.user + cpu.system) / 1000 / (performance.now() - started));
    }
  }
  for (const g of gateways) {
    const r = results.get(g.scenario.name)!;
    const rps = median(r.rps);
    const one = gateways.find((o) => o.label === g.label && o.workers === 1);
    const vsOne = one && g.workers !== 1 ? `${fmt((rps / median(results.get(one.scenario.name)!.rps)) * 100)}%` : '100%';
    rows.push(`| ${g.label} | ${g.workers} | ${fmt(rps)} | ${vsOne} | ${fmt(median(r.loadCpu) * 100)}% of a core |`);
    g.gw.proc.kill('SIGTERM');
  }
  console.log(
    `\n| setup | workers (${os.availableParallelism()} cores) | req/s @32 conns | vs 1 worker | load generator CPU |\n| --- | ---: | ---: | ---: | ---: |`,
  );
  for (const row of rows) console.log(row);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(stopAll);
