/**
 * --log-format: JSON lines by default when stdout is not a terminal (as under systemd or in a container),
 * readable lines with `pretty`, and a clear refusal of anything else.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const CONFIG = `
providers:
  demo: { api: mock }
models:
  demo: { targets: [ { provider: demo, model: echo } ] }
`;

interface Run {
  lines: string[];
  code: number | null;
}

/** Starts the daemon with `args`, sends one request once it listens, stops it, and returns its output. */
async function runDaemon(args: string[]): Promise<Run> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-logfmt-'));
  const config = path.join(dir, 'proxy.yaml');
  writeFileSync(config, CONFIG);
  const proc = spawn(process.execPath, [CLI, 'start', '--config', config, '--port', '0', ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  const lines: string[] = [];
  let onLine = () => undefined as void;
  const collect = (buf: Buffer) => {
    for (const line of buf.toString('utf8').split('\n')) if (line.trim()) lines.push(line);
    onLine();
  };
  proc.stdout.on('data', collect);
  proc.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
  const port = await Promise.race([
    new Promise<number>((resolve) => {
      onLine = () => {
        const m = lines.map((l) => /"port":(\d+)|port[=: ]+(\d+)/.exec(l)).find(Boolean);
        if (m && lines.some((l) => l.includes('listening'))) resolve(Number(m[1] ?? m[2]));
      };
    }),
    exited.then(() => -1),
  ]);
  if (port > 0) {
    // The request's log line is written after its answer: wait for it to reach our pipe, then stop the daemon.
    // eslint-disable-next-line no-control-regex
    const isRequestLine = (l: string) => /"message":"request"|^info: request\b/.test(l.replace(/\u001b\[[0-9;]*m/g, ''));
    const logged = new Promise<void>((resolve) => {
      onLine = () => {
        if (lines.some(isRequestLine)) resolve();
      };
    });
    await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }),
    });
    onLine();
    await Promise.race([logged, exited]);
    proc.kill('SIGTERM');
  }
  const code = await exited;
  rmSync(dir, { recursive: true, force: true });
  return { lines, code };
}

const isJson = (line: string) => {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
};

describe('--log-format', () => {
  test('without the flag and with stdout not a terminal, every line is JSON', async () => {
    const run = await runDaemon([]);
    expect(run.code).toBe(0);
    expect(run.lines.length).toBeGreaterThanOrEqual(3);
    expect(run.lines.every(isJson)).toBe(true);
    const request = run.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.message === 'request');
    expect(request).toMatchObject({ level: 'info', status: 200, alias: 'demo', provider: 'demo' });
  });

  test('--log-format json gives JSON lines', async () => {
    const run = await runDaemon(['--log-format', 'json']);
    expect(run.lines.every(isJson)).toBe(true);
  });

  test('--log-format pretty gives readable level-first lines, not JSON', async () => {
    const run = await runDaemon(['--log-format', 'pretty']);
    expect(run.code).toBe(0);
    // eslint-disable-next-line no-control-regex
    const plain = run.lines.map((l) => l.replace(/\u001b\[[0-9;]*m/g, ''));
    expect(plain.some((l) => /^info: listening\b/.test(l))).toBe(true);
    expect(plain.some((l) => /^info: request\b.*"status":200/.test(l))).toBe(true);
    expect(plain.filter(isJson)).toEqual([]);
  });

  test('an unknown format is refused before starting', async () => {
    const run = await runDaemon(['--log-format', 'xml']);
    expect(run.code).toBe(1);
    expect(run.lines.join('\n')).toContain('--log-format must be json or pretty');
  });
});
