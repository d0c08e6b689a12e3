/**
 * The request log `switchyard replay` reads: `--store` (a SQLite file path, sqlite://PATH or postgres://…), else
 * the running config's `server.dashboard.store`, else the default SQLite file beside that config. A log that is
 * not there is an error, not an empty replay: opening a SQLite path that does not exist would create an empty one.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from '../config/load';
import { createLogger } from '../observability/logger';
import { DEFAULT_REQUEST_STORE, describeRequestStore, openRequestLog } from '../stores/request-log/open-request-log';
import type { RequestLog } from '../stores/request-log/request-record';

/** A request log replay cannot open, with what to do about it. */
export class ReplayStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayStoreError';
  }
}

/** Where the store is: its URL, and the folder a relative sqlite:// path is taken from. */
function storeLocation(store: string | undefined, runningConfig: string): { url: string; dir: string } {
  if (store !== undefined) return { url: /^[a-z]+:\/\//.test(store) || store === 'memory' ? store : `sqlite://${store}`, dir: process.cwd() };
  if (!existsSync(runningConfig)) return { url: DEFAULT_REQUEST_STORE, dir: process.cwd() };
  try {
    const loaded = loadConfigFile(runningConfig);
    return { url: loaded.config.server.dashboard?.store ?? DEFAULT_REQUEST_STORE, dir: path.dirname(loaded.file) };
  } catch {
    throw new ReplayStoreError(`cannot read ${runningConfig} to find its request log (server.dashboard.store); pass --store PATH|URL`);
  }
}

/**
 * Opens the log; the caller closes it.
 *
 * @example const { log, where } = openReplayLog(undefined, 'proxy.yaml'); // proxy.yaml's server.dashboard.store
 */
export function openReplayLog(store: string | undefined, runningConfig: string): { log: RequestLog; where: string } {
  const { url, dir } = storeLocation(store, runningConfig);
  const where = describeRequestStore(url);
  if (url === 'memory')
    throw new ReplayStoreError(
      'a memory request log lives inside the running gateway only: replay it from the dashboard\u2019s Replay page, or use a sqlite:// or postgres:// store',
    );
  if (url.startsWith('sqlite://')) {
    const file = path.resolve(dir, url.slice('sqlite://'.length).split('?')[0]);
    if (!existsSync(file)) throw new ReplayStoreError(`no request log at ${file} (is server.dashboard.enabled or record on, and is this the store it writes?)`);
  }
  try {
    return { log: openRequestLog(url, dir, createLogger({ silent: true })), where };
  } catch (err) {
    throw new ReplayStoreError(`cannot open the request log ${where}: ${(err as Error).message}`);
  }
}
