#!/usr/bin/env node
/**
 * `npm run bench:probe`: where one request's time goes inside the gateway, step by step, at one connection.
 *
 * The gateway runs in this process and the probe listens on Node's and undici's diagnostics channels, which
 * cost nothing while nobody subscribes, so the code measured is exactly the code that ships (no scratch copy,
 * no probe calls on the request path). For each of BENCH_PROBE_N sequential requests it records when:
 *   the request event fired (`http.server.request.start`)
 *   → the upstream request was created (`undici:request:create`: body read and parsed, lifecycle, plugins,
 *     routing, building the upstream request)
 *   → its headers were written to the socket (`undici:client:sendHeaders`)
 *   → the upstream's response headers arrived (`undici:request:headers`: the upstream's own time and loopback)
 *   → the upstream's body was complete (`undici:request:trailers`)
 *   → the answer to the client was finished (`http.server.response.finish`: parsing the upstream's answer,
 *     the route's bookkeeping, writing the answer)
 * and prints the median of each step in µs. Compare a change by running it before and after, back to back.
 *
 *   BENCH_PROBE_N  timed requests (default 4000, after 300 warm-ups); BENCH_PROBE_STREAM=1 probes streams;
 *   BENCH_PROBE_SCENARIO  which of `npm run bench`'s scenarios (0 no plugins, the default; 1 retries + cooldown;
 *   2 all four built-in plugins)
 */
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { Gateway } from '../gateway';
import { chatBody, jsonPort, median, scenarios, startChild, stopAll } from './setup';

const N = Number(process.env.BENCH_PROBE_N ?? 4000);
const WARMUP = 300;
const STREAM = process.env.BENCH_PROBE_STREAM === '1';
const SCENARIO = scenarios[Number(process.env.BENCH_PROBE_SCENARIO ?? 0)];

const STEPS = [
  'request event',
  'upstream request created',
  'headers written upstream',
  "upstream's headers",
  "upstream's body complete",
  'answer finished',
] as const;
type Step = (typeof STEPS)[number];

/** The timestamps of the one request in flight (requests are sequential, so there is never more than one). */
let current: Partial<Record<Step, bigint>> = {};
const samples: Partial<Record<Step, bigint>>[] = [];

function mark(step: Step): void {
  current[step] ??= process.hrtime.bigint();
}

/** Subscribes to the channels; `upstreamOrigin` tells the gateway's upstream calls from this client's own. */
function listen(upstreamOrigin: string): void {
  const isUpstream = (msg: unknown) => String((msg as { request: { origin: unknown } }).request.origin) === upstreamOrigin;
  diagnostics.subscribe('http.server.request.start', () => mark('request event'));
  diagnostics.subscribe('undici:request:create', (msg) => isUpstream(msg) && mark('upstream request created'));
  diagnostics.subscribe('undici:client:sendHeaders', (msg) => isUpstream(msg) && mark('headers written upstream'));
  diagnostics.subscribe('undici:request:headers', (msg) => isUpstream(msg) && mark("upstream's headers"));
  diagnostics.subscribe('undici:request:trailers', (msg) => isUpstream(msg) && mark("upstream's body complete"));
  diagnostics.subscribe('http.server.response.finish', () => mark('answer finished'));
}

async function main(): Promise<void> {
  const upstream = await startChild([path.join(__dirname, '..', 'testing/fake-openai-server.js')], jsonPort);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-probe-'));
  writeFileSync(
    path.join(dir, 'proxy.yaml'),
    `server: { host: 127.0.0.1, port: 0 }
logging: { level: warn }
providers:
  fake: { api: openai, base_url: "http://127.0.0.1:${upstream.port}/v1", api_key: "sk-probe-upstream" }
models:
  bench: { targets: [ { provider: fake, model: bench-model } ] }
${SCENARIO.extraConfig}`,
  );
  process.chdir(dir); // the scenario's cost log writes ./spend.jsonl
  const gw = await Gateway.start({ configFile: path.join(dir, 'proxy.yaml'), watch: false, logLevel: 'warn' });
  listen(`http://127.0.0.1:${upstream.port}`);
  const pool = new Pool(`http://127.0.0.1:${gw.address.port}`, { connections: 1 });
  for (let i = 0; i < N + WARMUP; i++) {
    current = {};
    const res = await pool.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json', ...SCENARIO.headers },
      body: chatBody(STREAM),
    });
    for await (const _ of res.body) void _;
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
    if (i >= WARMUP) samples.push(current);
  }
  await pool.close();
  await gw.shutdown();

  console.log(`${STREAM ? 'Streamed' : 'JSON'} requests at 1 connection, ${SCENARIO.name}, medians over ${N} requests (µs):\n`);
  console.log('| step | µs |\n| --- | ---: |');
  let total = 0;
  for (let i = 1; i < STEPS.length; i++) {
    const durations = samples
      .filter((s) => s[STEPS[i]] !== undefined && s[STEPS[i - 1]] !== undefined)
      .map((s) => Number(s[STEPS[i]]! - s[STEPS[i - 1]]!) / 1000);
    const m = durations.length ? median(durations) : NaN;
    total += m;
    console.log(`| ${STEPS[i - 1]} → ${STEPS[i]} | ${m.toFixed(1)} |`);
  }
  console.log(`| **sum of the medians** | **${total.toFixed(1)}** |`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(stopAll);
