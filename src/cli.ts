#!/usr/bin/env node
/**
 * The command line: `start` runs the daemon, `validate` checks a config file (every problem as
 * FILE:LINE:COL: path: message), `schema` prints the config's JSON Schema, `models` prints the shipped catalog,
 * `replay` prices the recorded traffic under a candidate config.
 */
import path from 'node:path';
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { runPrimary, workerCount, workerProblems } from './cluster/primary';
import { catalogListing, formatCatalogListing } from './catalog/catalog-listing';
import { loadConfigFile } from './config/load';
import { ConfigError, formatProblem } from './config/problems';
import { configSchema } from './config/schema';
import { Gateway } from './gateway';
import { checkPlugins } from './pipeline/load-plugins';
import type { LogFormat } from './observability/logger';
import { unpricedTargets } from './pricing/unpriced-targets';
import { loadCandidateFile } from './replay/candidate';
import { formatReplayReport } from './replay/format';
import { openReplayLog, ReplayStoreError } from './replay/open-log';
import { replay } from './replay/replay';
import { replayWindow } from './replay/window';

const USAGE = `Usage:
  switchyard start --config FILE [--port N] [--host H] [--log-format json|pretty] [--log-level LEVEL] [--workers N|auto]
  switchyard validate --config FILE
  switchyard schema
  switchyard models [--provider P] [--json]
  switchyard replay --config CANDIDATE [--since 7d] [--until DATE|DURATION] [--store PATH|URL] [--current FILE] [--json]
      Routes the recorded requests of the window through the candidate config (no provider is called) and
      reports cost, latency and failures per alias beside what happened. The log is --store, else the
      server.dashboard.store of --current (default proxy.yaml), else switchyard-requests.db beside it.`;

/** Writes all of `text` before main() returns: process.exit() would cut a long answer sent into a pipe. */
function writeOut(text: string): Promise<void> {
  return new Promise<void>((resolve, reject) => process.stdout.write(`${text}\n`, (err) => (err ? reject(err) : resolve())));
}

/** `switchyard replay`: 0 with the report, 1 for a bad candidate, window or store (with the reason on stderr). */
async function replayCommand(values: Record<string, string | boolean | undefined>): Promise<number> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const file = str('config');
  if (!file) throw new Error('replay needs --config CANDIDATE.yaml (the config to price the recorded traffic under)');
  const window = replayWindow(str('since') ?? '7d', str('until'), Date.now());
  if ('bad' in window) throw new Error(`--${window.bad}: ${window.why}`);
  let candidate;
  try {
    candidate = loadCandidateFile(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) console.error(formatProblem(err.file, p));
    console.error('switchyard replay: the candidate config is invalid.');
    return 1;
  }
  let opened;
  try {
    opened = openReplayLog(str('store'), str('current') ?? 'proxy.yaml');
  } catch (err) {
    if (!(err instanceof ReplayStoreError)) throw err;
    console.error(`switchyard replay: ${err.message}`);
    return 1;
  }
  let report;
  try {
    report = await replay(opened.log, candidate, window);
  } catch (err) {
    console.error(`switchyard replay: cannot read the request log ${opened.where}: ${(err as Error).message}`);
    return 1;
  } finally {
    await opened.log.close().catch(() => undefined);
  }
  await writeOut(values.json ? JSON.stringify(report, null, 2) : formatReplayReport(report));
  return 0;
}

async function start(values: Record<string, string | undefined>): Promise<void> {
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new Error(`--port must be an integer between 0 and 65535, got "${values.port}"`);
  const logFormat = values['log-format'] as LogFormat | undefined;
  if (logFormat && logFormat !== 'json' && logFormat !== 'pretty') throw new Error('--log-format must be json or pretty');
  // Signal handlers go in before the daemon starts, so an early SIGHUP or SIGTERM is never fatal.
  let gateway: Gateway | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!gateway) process.exit(0);
    gateway.log.info('signal received', { signal });
    gateway.shutdown().then(
      () => process.exit(0),
      (err) => {
        gateway?.log.error('shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGHUP', () => void gateway?.reload('SIGHUP'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  gateway = await Gateway.start({ configFile: values.config ?? 'proxy.yaml', port, host: values.host, logFormat, logLevel: values['log-level'] });
  const gw = gateway;
  // A bug in one request must not take the gateway down; log it loudly instead.
  process.on('uncaughtException', (err) => gw.log.error('uncaught exception', { error: err.stack ?? String(err) }));
  process.on('unhandledRejection', (err) => gw.log.error('unhandled rejection', { error: (err as Error)?.stack ?? String(err) }));
}

function validate(file: string): number {
  try {
    const loaded = loadConfigFile(file);
    const pluginProblems = checkPlugins(loaded.config.plugins, path.dirname(loaded.file));
    if (pluginProblems.length > 0) {
      throw new ConfigError(
        loaded.file,
        pluginProblems.map((e) => ({ path: e.path, message: e.message, ...loaded.locate(e.path) })),
      );
    }
    for (const m of loaded.missing) console.error(`warning: \${${m.variable}} is not set (used at ${m.path.join('.')})`);
    for (const u of unpricedTargets(loaded.config)) console.error(`warning: ${formatProblem(file, { ...u, ...loaded.locate(u.path) })}`);
    console.log(`${file}: OK`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) console.error(formatProblem(file, p));
      return 1;
    }
    throw err;
  }
}

/**
 * `--workers` or the config's `workers:`; a config that cannot run on several workers as configured (in-memory
 * feedback) is refused here, before any worker starts.
 */
function workersWanted(file: string, flag: string | undefined): number {
  const loaded = loadConfigFile(file);
  const n = workerCount(flag ?? loaded.config.workers);
  if (n > 1) {
    const problems = workerProblems(loaded.config);
    if (problems.length > 0)
      throw new ConfigError(
        loaded.file,
        problems.map((p) => ({ ...p, ...loaded.locate(p.path) })),
      );
  }
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'log-format': { type: 'string' },
      'log-level': { type: 'string' },
      workers: { type: 'string', short: 'w' },
      provider: { type: 'string' },
      json: { type: 'boolean' },
      since: { type: 'string' },
      until: { type: 'string' },
      store: { type: 'string' },
      current: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'schema') {
    console.log(JSON.stringify(configSchema, null, 2));
    return 0;
  }
  if (command === 'models') {
    // What the shipped catalog knows: prices, limits and capabilities (no config needed).
    const listing = catalogListing(values.provider);
    await writeOut(values.json ? JSON.stringify(listing, null, 2) : formatCatalogListing(listing));
    return 0;
  }
  if (command === 'replay') return replayCommand(values);
  if (command === 'validate') {
    if (!values.config) throw new Error('validate needs --config FILE');
    // Plugins are part of a valid config: their modules and options are checked too, without starting them.
    return validate(values.config);
  }
  if (command === 'start') {
    // With more than one worker this process is the primary: it forks the workers, which run `start` themselves.
    const workers = cluster.isPrimary ? workersWanted(values.config ?? 'proxy.yaml', values.workers) : 1;
    if (workers > 1) return runPrimary(workers, argv);
    await start(values as Record<string, string | undefined>);
    return -1; // keep running
  }
  console.error(`unknown command "${command}"\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      for (const p of err.problems) console.error(formatProblem(err.file, p));
      console.error('switchyard: the config is invalid; not starting.');
    } else {
      console.error(`switchyard: ${(err as Error).message}`);
    }
    process.exit(1);
  },
);
