/**
 * Starts the real Gateway (src/gateway.ts, as `switchyard start` does) inside the jest process, on port 0 of
 * 127.0.0.1, from a config string written to a temporary proxy.yaml. The request path then runs in the test's
 * own process, so coverage sees it and no daemon has to boot. Use startDaemon (./daemon.ts) instead for what
 * only a separate process shows: the CLI, signals, and reload or drain as the daemon does them.
 */
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Gateway } from '../../src/gateway';
import { BatchedStdoutTransport } from '../../src/observability/stdout-transport';
import type { GatewayUnderTest, StartOptions } from './daemon';

export interface InProcessGateway extends GatewayUnderTest {
  gateway: Gateway;
  /** Drains and shuts the gateway down, then restores the environment it was started with. */
  stop(): Promise<void>;
}

/** Collects the lines of one gateway's log. */
class LineSink {
  readonly lines: string[] = [];
  private readonly listeners = new Set<() => void>();

  push(line: string): void {
    this.lines.push(line.replace(/\n$/, ''));
    for (const l of this.listeners) l();
  }

  onLine(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

// Every gateway logs through a BatchedStdoutTransport. In tests its lines go to the sink of the gateway that owns
// the transport instead of stdout: a transport is claimed by the gateway being started when it writes its first line
// (starts are serialised below, so that gateway is known), or when the harness claims it after start.
const owners = new WeakMap<BatchedStdoutTransport, LineSink>();
let starting: LineSink | undefined;
const writeLine = BatchedStdoutTransport.prototype.writeLine;
BatchedStdoutTransport.prototype.writeLine = function (this: BatchedStdoutTransport, line: string, urgent: boolean) {
  let sink = owners.get(this);
  if (!sink && starting) owners.set(this, (sink = starting));
  if (sink) sink.push(line);
  else writeLine.call(this, line, urgent);
};
let startQueue: Promise<unknown> = Promise.resolve();

function parsed(lines: string[]): Record<string, unknown>[] {
  return lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/**
 * Environment variables the config interpolates are read from process.env: set the test's for the gateway's life
 * (the daemon helper blanks the provider keys the same way), and give back what was there before.
 */
function applyEnv(env: Record<string, string | undefined>): () => void {
  const before = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(env)) {
    before.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of before) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/**
 * @example
 * const gw = await startInProcess({ config: `providers: { demo: { api: mock } }\nmodels: { demo: { targets: [{ provider: demo, model: echo }] } }` });
 * await fetch(`${gw.url}/v1/models`);
 * await gw.stop();
 */
export async function startInProcess(opts: StartOptions): Promise<InProcessGateway> {
  if (opts.args?.length) throw new Error('startInProcess takes no CLI arguments; use startDaemon to test the CLI');
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'switchyard-test-'));
  const configPath = path.join(dir, 'proxy.yaml');
  writeFileSync(configPath, opts.config);
  for (const [rel, content] of Object.entries(opts.files ?? {})) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  const restoreEnv = applyEnv({ OPENAI_API_KEY: '', DEEPSEEK_API_KEY: '', ...opts.env });
  const sink = new LineSink();
  const start = startQueue.then(async () => {
    starting = sink;
    try {
      const gateway = await Gateway.start({ configFile: configPath, port: 0, host: '127.0.0.1', logFormat: 'json' });
      for (const t of gateway.log.transports) if (t instanceof BatchedStdoutTransport) owners.set(t, sink);
      return gateway;
    } finally {
      starting = undefined;
    }
  });
  startQueue = start.catch(() => undefined);
  let gateway: Gateway;
  try {
    gateway = await start;
  } catch (err) {
    restoreEnv();
    throw err;
  }
  const port = gateway.address.port;

  const waitForLog = (match: (r: Record<string, unknown>) => boolean, timeoutMs = 10_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = parsed(sink.lines).find(match);
        if (!found) return;
        clearTimeout(timer);
        off();
        resolve(found);
      };
      const timer = setTimeout(() => {
        off();
        reject(new Error(`log line not seen within ${timeoutMs} ms; logs:\n${sink.lines.join('\n')}`));
      }, timeoutMs);
      const off = sink.onLine(check);
      check();
    });

  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    configPath,
    gateway,
    logs: () => [...sink.lines],
    logRecords: () => parsed(sink.lines),
    waitForLog,
    writeConfig(yaml: string) {
      const tmp = `${configPath}.tmp-${process.pid}`;
      writeFileSync(tmp, yaml);
      renameSync(tmp, configPath);
    },
    stop() {
      stopped ??= gateway.shutdown().finally(restoreEnv);
      return stopped;
    },
  };
}
