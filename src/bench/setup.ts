/**
 * What `npm run bench` and `npm run bench:cpu` share: the three processes they measure (the fake upstream, the
 * minimal pass-through proxy, the gateway with a scenario's config) and the scenarios themselves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const DIST = path.resolve(__dirname, '..');

/** Every process started here, so the caller can stop them all at the end (`stopAll`). */
const children: ChildProcess[] = [];

/** Stops every process this module started. @example main().finally(stopAll) */
export function stopAll(): void {
  for (const c of children) c.kill('SIGTERM');
}

export function startChild(args: string[], readyMatch: (line: string) => number | undefined): Promise<{ port: number; proc: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(proc);
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        const port = readyMatch(line);
        if (port) return resolve({ port, proc });
      }
    });
    proc.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${buf}`)));
  });
}

export const jsonPort = (line: string) => {
  try {
    const r = JSON.parse(line) as { port?: number; message?: string };
    return r.port && (r.message === undefined || r.message === 'listening') ? r.port : undefined;
  } catch {
    return undefined;
  }
};

/** The fake OpenAI upstream and the minimal pass-through in front of it. @example const { upstream, minimal } = await startBaseline(); */
export async function startBaseline(): Promise<{ upstream: { port: number; proc: ChildProcess }; minimal: { port: number; proc: ChildProcess } }> {
  const upstream = await startChild([path.join(DIST, 'testing/fake-openai-server.js')], jsonPort);
  const minimal = await startChild([path.join(DIST, 'bench/minimal-proxy.js'), '--upstream', `127.0.0.1:${upstream.port}`], jsonPort);
  return { upstream, minimal };
}

export interface Scenario {
  name: string;
  extraConfig: string;
  headers: Record<string, string>;
  /** `limits:` of the fake provider, e.g. '{ concurrency: 1000 }'. */
  providerLimits?: string;
}

export const BENCH_KEY = 'sk-bench-client-key-0000000000';

let prompts = 0;
/** The median of a list of numbers. @example median([3, 1, 2]) // 2 */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A chat request for the `bench` alias; every prompt is distinct, so the cache never answers. */
export const chatBody = (stream = false): string =>
  JSON.stringify({ model: 'bench', stream, messages: [{ role: 'user', content: `benchmark prompt ${prompts++}` }] });

export const scenarios: Scenario[] = [
  { name: 'gateway, no plugins', extraConfig: '', headers: {} },
  {
    name: 'gateway, retries + cooldown',
    extraConfig: 'retry: { attempts: 2, backoff_ms: 100, max_backoff_ms: 5000 }\ncooldown: { failures: 3, window_s: 60, duration_s: 30 }\n',
    headers: {},
  },
  {
    name: 'gateway, auth + rate-limit + cache + cost-log',
    extraConfig: `plugins:
  - use: auth
    keys: [ { name: bench, key: "${BENCH_KEY}", models: ["*"] } ]
  - use: rate-limit
    store: memory
    per_key: { rpm: 100000000, tpm: 100000000000 }
  - use: cache
    store: memory
  - use: cost-log
    sink: jsonl://./spend.jsonl
`,
    headers: { authorization: `Bearer ${BENCH_KEY}` },
  },
];

/**
 * Starts the gateway with its default logging (one JSON line per request at info) going to a file, as under
 * systemd or a container runtime, and waits for its "listening" line.
 */
export async function startGateway(upstreamPort: number, scenario: Scenario): Promise<{ port: number; proc: ChildProcess } | undefined> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-'));
  const config = `server: { host: 127.0.0.1, port: 0 }
providers:
  fake: { api: openai, base_url: "http://127.0.0.1:${upstreamPort}/v1", api_key: "sk-bench-upstream"${scenario.providerLimits ? `, limits: ${scenario.providerLimits}` : ''} }
models:
  bench: { targets: [ { provider: fake, model: bench-model } ] }
${scenario.extraConfig}`;
  writeFileSync(path.join(dir, 'proxy.yaml'), config);
  const logFile = path.join(dir, 'gateway.log');
  const out = openSync(logFile, 'a');
  const proc = spawn(process.execPath, [path.join(DIST, 'cli.js'), 'start', '--config', path.join(dir, 'proxy.yaml'), '--log-format', 'json'], {
    cwd: dir,
    stdio: ['ignore', out, out],
  });
  children.push(proc);
  for (let waited = 0; waited < 15_000; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    const lines = readFileSync(logFile, 'utf8').split('\n');
    const port = lines.map(jsonPort).find((p) => p !== undefined);
    if (port) return { port, proc };
    if (proc.exitCode !== null) {
      console.log(
        `  skipped "${scenario.name}": ${lines
          .filter((l) => l.includes(':'))
          .slice(0, 2)
          .join(' ')}`,
      );
      return undefined;
    }
  }
  throw new Error(`gateway for "${scenario.name}" did not start; see ${logFile}`);
}
