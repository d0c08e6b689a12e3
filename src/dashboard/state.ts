/**
 * The dashboard's in-memory state of one running gateway (its RuntimeHandle): the login sessions, the ring of
 * recent requests and the per-minute rollup, and the listeners of the live streams. The lifecycle hands every
 * finished request to `recordForDashboard`; with the dashboard off that is one property read.
 */
import type { RequestContext, RequestOutcome } from '../pipeline/types';
import type { RuntimeSnapshot } from '../routing/snapshot-types';
import type { RuntimeHandle } from '../server/runtime-handle';
import { recentRequestOf, RequestRing } from './request-ring';
import { Rollup } from './rollup';
import { SessionStore } from './session-store';
import { targetErrorsOf } from './target-errors';

export interface DashboardState {
  readonly sessions: SessionStore;
  ring: RequestRing;
  readonly rollup: Rollup;
  /** Called (unthrottled) after each recorded request; the event streams throttle themselves. */
  readonly listeners: Set<() => void>;
  /** The clock every page and the session store read (tests inject one). */
  now: () => number;
}

const states = new WeakMap<RuntimeHandle, DashboardState>();

/** The gateway's own answers that are not traffic: a Prometheus scrape or a probe every few seconds would fill the ring. */
const NOT_RECORDED: ReadonlySet<string> = new Set(['dashboard', 'health', 'metrics', 'preflight']);

/**
 * The dashboard state of a gateway, made on first use.
 *
 * @example const state = dashboardStateOf(handle, snapshot); state.ring.list({}, 50)
 */
export function dashboardStateOf(handle: RuntimeHandle, snapshot: RuntimeSnapshot): DashboardState {
  let state = states.get(handle);
  const settings = snapshot.config.server.dashboard;
  const capacity = settings?.recent_requests ?? 2000;
  if (!state) {
    const holder: { state?: DashboardState } = {};
    state = {
      // The TTL is read at each login, so a reload that changes it applies to the next login.
      sessions: new SessionStore(
        () => {
          const lease = handle.acquire();
          lease.release();
          return (lease.snapshot.config.server.dashboard?.session_ttl_minutes ?? 480) * 60_000;
        },
        () => holder.state!.now(),
      ),
      ring: new RequestRing(capacity),
      rollup: new Rollup(),
      listeners: new Set(),
      now: Date.now,
    };
    holder.state = state;
    states.set(handle, state);
  } else if (state.ring.capacity !== capacity) {
    // A reload changed the ring's size: start a new ring with what fits of the old one.
    const ring = new RequestRing(capacity);
    for (const r of state.ring.list({}, capacity).reverse()) ring.push(r);
    state.ring = ring;
  }
  return state;
}

/**
 * Records a finished request for the dashboard when it is enabled (the lifecycle calls it once per request).
 * The dashboard's own requests, health probes and metrics scrapes are left out (a page reading itself would count its refreshes).
 *
 * @example recordForDashboard(handle, snapshot, ctx, outcome);
 */
export function recordForDashboard(handle: RuntimeHandle, snapshot: RuntimeSnapshot, ctx: RequestContext, outcome: RequestOutcome): void {
  const settings = snapshot.config.server.dashboard;
  if (!settings?.enabled || NOT_RECORDED.has(ctx.endpoint)) return;
  const state = dashboardStateOf(handle, snapshot);
  const entry = recentRequestOf(ctx, outcome, settings.log_content);
  state.ring.push(entry);
  state.rollup.add(entry);
  targetErrorsOf(state).record(ctx.attempts, outcome, state.now());
  for (const l of state.listeners) l();
}
