/**
 * Starts the real daemon (`node dist/cli.js start`) in a temporary directory with a given proxy.yaml, the way
 * a user would, and gives the test its URL, its log lines and a way to signal it. Run `npm run build` first
 * (`npm test` does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CLI = path.resolve(__dirname, '../../dist/cli.js');

/** What a test sees of a running gateway, in-process (in-process.ts) or as a daemon (below). */
export interface GatewayUnderTest {
  url: string;
  port: number;
  dir: string;
  configPath: string;
  /** Every log line so far (JSON, as the daemon prints them). */
  logs(): string[];
  /** JSON log lines, parsed. */
  logRecords(): Record<string, unknown>[];
  /** Resolves with the first log record matching; rejects after `timeoutMs` (a safety net, not a measurement). */
  waitForLog(match: (r: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Replaces proxy.yaml (atomically, as editors do); the gateway's watcher reloads it. */
  writeConfig(yaml: string): void;
}

export interface Daemon extends GatewayUnderTest {
  proc: ChildProcess;
  /** Sends a signal and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  config: string;
  env?: Record<string, string | undefined>;
  /** Extra files to create beside proxy.yaml (e.g. plugins), by relative path. */
  files?: Record<string, string>;
  args?: string[];
  /** Reuse a directory (e.g. to restart on the same data). */
  dir?: string;
}

/**
 * @example
 * const gw = await startDaemon({ config: `providers: { demo: { api: mock } }\nmodels: { demo: { targets: [{ provider: demo, model: echo }] } }` });
 * await fetch(`${gw.url}/v1/models`);
 * await gw.stop();
 */
export async function startDaemon(opts: StartOptions): Promise<Daemon> {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'switchyard-test-'));
  const configPath = path.join(dir, 'proxy.yaml');
  writeFileSync(configPath, opts.config);
  for (const [rel, content] of Object.entries(opts.files ?? {})) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, OPENAI_API_KEY: '', DEEPSEEK_API_KEY: '', ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const proc = spawn(
    process.execPath,
    [CLI, 'start', '--config', configPath, '--port', '0', '--host', '127.0.0.1', '--log-format', 'json', ...(opts.args ?? [])],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const listeners: (() => void)[] = [];
  const onData = (buf: Buffer) => {
    for (const line of buf.toString('utf8').split('\n')) if (line.trim()) lines.push(line);
    for (const l of listeners) l();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));

  const records = () =>
    lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  const waitForLog = (match: (r: Record<string, unknown>) => boolean, timeoutMs = 10_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = records().find(match);
        if (found) {
          clearTimeout(timer);
          listeners.splice(listeners.indexOf(check), 1);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        listeners.splice(listeners.indexOf(check), 1);
        reject(new Error(`log line not seen within ${timeoutMs} ms; logs:\n${lines.join('\n')}`));
      }, timeoutMs);
      listeners.push(check);
      check();
    });

  const listening = await Promise.race([
    waitForLog((r) => r.message === 'listening', 15_000),
    exited.then((code) => {
      throw new Error(`daemon exited with ${code} before listening:\n${lines.join('\n')}`);
    }),
  ]);
  const port = Number(listening.port);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    configPath,
    proc,
    logs: () => [...lines],
    logRecords: records,
    waitForLog,
    writeConfig(yaml: string) {
      const tmp = `${configPath}.tmp-${process.pid}`;
      writeFileSync(tmp, yaml);
      renameSync(tmp, configPath);
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill(signal);
      const timeout = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timeout);
      return code;
    },
  };
}
