/**
 * What the HTTP layer needs from the running daemon: a lease on the current config snapshot (held for the
 * whole request, so a reload never changes a request mid-flight), the logger, and the reload status.
 */
import type { RuntimeSnapshot } from '../routing/snapshot-types';
import type { Logger } from '../observability/logger';
import type { BodyLimits } from './body-reader';

export interface SnapshotLease {
  snapshot: RuntimeSnapshot;
  /** Must be called exactly once when the request is finished. */
  release(): void;
}

export interface ReloadStatus {
  ok: boolean;
  at: string;
  error?: string;
}

export interface RuntimeHandle {
  acquire(): SnapshotLease;
  readonly log: Logger;
  lastReload(): ReloadStatus;
  /** True while the daemon drains on SIGTERM: new requests are refused. */
  readonly draining: boolean;
  /** server.max_body_mb in bytes and server.max_json_nodes, as the daemon started with them (a change needs a restart). */
  readonly bodyLimits: BodyLimits;
}
