/**
 * The dashboard's state of one running gateway (its RuntimeHandle): the login sessions, the login throttle and
 * the listeners of the live streams. The requests themselves live in the snapshot's request log
 * (stores/request-log/), durable and shared by every process on the same store. The lifecycle hands every finished request to `recordForDashboard`;
 * with the dashboard off that is one property read.
 */
import type { RequestContext, RequestOutcome } from '../pipeline/types';
import type { RuntimeSnapshot } from '../routing/snapshot-types';
import type { RuntimeHandle } from '../server/runtime-handle';
import { isGatewayWorker } from '../cluster/ipc';
import { PrimaryLoginCounter } from '../cluster/shared-stores';
import { LoginThrottle, type LoginCounter } from './login-throttle';
import { requestRecordOf } from './request-record-of';
import { SessionStore } from './session-store';
import { targetErrorsOf } from './target-errors';

export interface DashboardState {
  readonly sessions: SessionStore;
  /** Failed logins per client address: this process's throttle, or with `--workers` the primary's. */
  readonly logins: LoginCounter;
  /** Called (unthrottled) after each recorded request; the event streams throttle themselves. */
  readonly listeners: Set<() => void>;
  /** The clock every page and the session store read (tests inject one). */
  now: () => number;
}

const states = new WeakMap<RuntimeHandle, DashboardState>();

/** The gateway's own answers that are not traffic: a Prometheus scrape or a probe every few seconds would fill the log. */
const NOT_RECORDED: ReadonlySet<string> = new Set(['dashboard', 'health', 'metrics', 'preflight']);

/**
 * The dashboard state of a gateway, made on first use.
 *
 * @example const state = dashboardStateOf(handle); state.sessions.valid(cookie)
 */
export function dashboardStateOf(handle: RuntimeHandle): DashboardState {
  let state = states.get(handle);
  if (!state) {
    const holder: { state?: DashboardState } = {};
    const own = new LoginThrottle(() => holder.state!.now());
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
      logins: isGatewayWorker() ? new PrimaryLoginCounter(own) : { attempt: async (address, limits, right) => own.attempt(address, limits, right) },
      listeners: new Set(),
      now: Date.now,
    };
    holder.state = state;
    states.set(handle, state);
  }
  return state;
}

/**
 * Records a finished request in the request log when there is one (the dashboard is on, or `record: true`; the
 * lifecycle calls it once per request). Appending never waits and never throws. The dashboard's own requests,
 * health probes and metrics scrapes are left out (a page reading itself would count its refreshes).
 *
 * @example recordForDashboard(handle, snapshot, ctx, outcome);
 */
export function recordForDashboard(handle: RuntimeHandle, snapshot: RuntimeSnapshot, ctx: RequestContext, outcome: RequestOutcome): void {
  const log = snapshot.requestLog;
  if (!log || NOT_RECORDED.has(ctx.endpoint)) return;
  log.append(requestRecordOf(ctx, outcome, snapshot.config.server.dashboard?.log_content === true));
  const state = dashboardStateOf(handle);
  targetErrorsOf(state).record(ctx.attempts, outcome, state.now());
  for (const l of state.listeners) l();
}
