/**
 * The daemon: owns the current config snapshot, the HTTP server, the file watcher and the signal handlers.
 * Reloads build a complete new snapshot first and swap one reference only if that succeeded, so a broken file
 * never replaces a working config; requests keep the snapshot they started with until they finish.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfigFile } from './config/load';
import { ConfigError } from './config/problems';
import { buildSnapshot } from './runtime/snapshot';
import type { RuntimeSnapshot } from './routing/snapshot-types';
import { StateRegistry } from './runtime/state-registry';
import { watchFiles, type ConfigWatcher } from './config/watch';
import type { ServerConfig } from './config/types';
import { createLogger, type LogFormat, type Logger } from './observability/logger';
import { recordConfigReload, recordConnectionDropped } from './observability/metrics';
import type { BodyLimits } from './server/body-reader';
import { TimedResponse } from './server/request-metrics';
import { createRouter } from './server/router';
import type { ReloadStatus, RuntimeHandle, SnapshotLease } from './server/runtime-handle';

export interface GatewayOptions {
  configFile: string;
  host?: string;
  port?: number;
  logFormat?: LogFormat;
  logLevel?: string;
  /** Watch the config for changes (default true). */
  watch?: boolean;
}

/** Reference count of the requests using one snapshot, so a retired snapshot's plugins close only when idle. */
class SnapshotSlot {
  inFlight = 0;
  retired = false;
  constructor(readonly snapshot: RuntimeSnapshot) {}
}

/**
 * Limits against slow and greedy clients; applied at start and again on reload (host, port, max_body_mb and
 * max_json_nodes need a restart).
 * The request timeout covers receiving the request only, so long streamed answers are not cut by it.
 */
function applyServerLimits(server: http.Server, cfg: ServerConfig): void {
  server.headersTimeout = cfg.header_timeout_ms;
  server.requestTimeout = Math.max(cfg.request_timeout_ms, cfg.header_timeout_ms);
  server.maxConnections = cfg.max_connections;
}

/**
 * @example
 * const gw = await Gateway.start({ configFile: 'proxy.yaml' });
 * process.on('SIGTERM', () => gw.shutdown());
 */
export class Gateway implements RuntimeHandle {
  readonly log: Logger;
  draining = false;
  bodyLimits: BodyLimits = { maxBytes: 0, maxJsonNodes: 0 };
  private slot!: SnapshotSlot;
  private readonly state = new StateRegistry();
  private server?: http.Server;
  private watcher?: ConfigWatcher;
  private reloadStatus: ReloadStatus = { ok: true, at: new Date().toISOString() };
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private inFlightTotal = 0;
  private idleWaiters: (() => void)[] = [];

  private constructor(
    private readonly opts: GatewayOptions,
    log: Logger,
  ) {
    this.log = log;
  }

  /** Loads the config (throws ConfigError if it is invalid), listens, and starts watching. */
  static async start(opts: GatewayOptions): Promise<Gateway> {
    const log = createLogger({ format: opts.logFormat, level: opts.logLevel });
    const gw = new Gateway(opts, log);
    const loaded = loadConfigFile(opts.configFile);
    if (!opts.logLevel) log.level = loaded.config.logging.level;
    gw.state.beginBuild();
    gw.slot = new SnapshotSlot(await buildSnapshot(loaded, gw.state, log));
    gw.warnUnavailable(gw.slot.snapshot);
    if (opts.watch !== false) {
      gw.watcher = watchFiles(gw.slot.snapshot.watchedFiles, () => void gw.reload('file change'));
      await gw.watcher.ready;
    }
    // Listening last: once "listening" is logged, edits and signals are already handled.
    await gw.listen();
    return gw;
  }

  get snapshot(): RuntimeSnapshot {
    return this.slot.snapshot;
  }

  get address(): AddressInfo {
    return this.server!.address() as AddressInfo;
  }

  acquire(): SnapshotLease {
    const slot = this.slot;
    slot.inFlight++;
    this.inFlightTotal++;
    let released = false;
    return {
      snapshot: slot.snapshot,
      release: () => {
        if (released) return;
        released = true;
        slot.inFlight--;
        this.inFlightTotal--;
        if (slot.retired && slot.inFlight === 0) void slot.snapshot.pipeline.close();
        if (this.inFlightTotal === 0) for (const w of this.idleWaiters.splice(0)) w();
      },
    };
  }

  lastReload(): ReloadStatus {
    return this.reloadStatus;
  }

  private warnUnavailable(snapshot: RuntimeSnapshot): void {
    for (const p of snapshot.providers.values()) {
      if (!p.available) this.log.warn('provider unavailable: its api_key is empty', { provider: p.name, missing_env: p.missingEnv.join(', ') });
    }
  }

  private async listen(): Promise<void> {
    const cfg = this.slot.snapshot.config.server;
    this.bodyLimits = { maxBytes: Math.round(cfg.max_body_mb * 1024 * 1024), maxJsonNodes: cfg.max_json_nodes };
    // Checked every second (Node's default is 30 s) so header and request timeouts bite close to their value.
    const server = http.createServer({ connectionsCheckingInterval: 1000, ServerResponse: TimedResponse }, createRouter(this));
    server.keepAliveTimeout = 65_000;
    applyServerLimits(server, cfg);
    server.on('drop', () => recordConnectionDropped());
    this.server = server;
    const host = this.opts.host ?? cfg.host;
    const port = this.opts.port ?? cfg.port;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = this.address;
    this.log.info('listening', {
      host: addr.address,
      port: addr.port,
      pid: process.pid,
      config: this.slot.snapshot.file,
      config_hash: this.slot.snapshot.hash,
    });
  }

  /**
   * Reloads the config. Concurrent calls coalesce: at most one reload runs, and one more follows it if
   * changes arrived meanwhile.
   */
  reload(reason: string): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        await this.reloadOnce(reason);
      } while (this.reloadAgain);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async reloadOnce(reason: string): Promise<void> {
    const known = this.state.keys();
    try {
      const loaded = loadConfigFile(this.opts.configFile);
      this.state.beginBuild();
      const next = await buildSnapshot(loaded, this.state, this.log);
      const old = this.slot;
      this.slot = new SnapshotSlot(next);
      old.retired = true;
      if (old.inFlight === 0) void old.snapshot.pipeline.close();
      await this.state.retainTouched();
      this.watcher?.setFiles(next.watchedFiles);
      if (this.server) applyServerLimits(this.server, next.config.server);
      recordConfigReload(true);
      if (!this.opts.logLevel) this.log.level = next.config.logging.level;
      this.reloadStatus = { ok: true, at: new Date().toISOString() };
      this.log.info('config reloaded', { reason, config_hash: next.hash, previous_hash: old.snapshot.hash });
      this.warnUnavailable(next);
    } catch (err) {
      await this.state.abandonBuild(known);
      const message = err instanceof ConfigError ? err.message : `${(err as Error).message}`;
      this.reloadStatus = { ok: false, at: new Date().toISOString(), error: message };
      recordConfigReload(false);
      this.log.error('config reload rejected; still serving the previous config', { reason, problems: message, config_hash: this.slot.snapshot.hash });
    }
  }

  /** Stops accepting, lets in-flight requests finish (bounded), then releases everything. */
  async shutdown(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const timeoutMs = this.slot.snapshot.config.server.shutdown_timeout_ms;
    this.log.info('shutting down: draining in-flight requests', { in_flight: this.inFlightTotal, timeout_ms: timeoutMs });
    await this.watcher?.close();
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.server?.closeIdleConnections();
    const idle = this.inFlightTotal === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([idle.then(() => 'idle' as const), timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') this.log.warn('shutdown timeout reached; closing remaining connections', { in_flight: this.inFlightTotal });
    this.server?.closeAllConnections();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
    await this.slot.snapshot.pipeline.close();
    await this.state.disposeAll();
    this.log.info('shutdown complete');
  }
}
