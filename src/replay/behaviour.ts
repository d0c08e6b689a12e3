/**
 * How each target behaved in the recorded window, as replay's model of it: per try, the chance it answers, the
 * chance of each failure (and what routing does after it: retry the same target, move on, or give up), and its
 * mean latency. A target the window never called is given the median of the observed ones, and says so.
 */
import type { RecordedAttempt, RequestRecord } from '../stores/request-log/request-record';
import { normaliseUpstreamError } from '../providers/upstream-error-info';
import { AttemptFailure, attemptFailures, isTransient, type CalledFailureKind } from '../routing/attempt-failure';
import { targetKey } from '../routing/routing-state';

/** What routing does after a failed try: try the same target again (if retries are left), the next target, or stop. */
export type FailureClass = 'transient' | 'move_on' | 'final';

/** One failure a target showed: its label (an HTTP status or a failure kind), how routing treats it, its chance per try. */
export interface FailureShare {
  label: string;
  cls: FailureClass;
  p: number;
}

export interface TargetBehaviour {
  /** provider/model */
  key: string;
  /** False: never called in the window; the figures are the assumed ones. */
  observed: boolean;
  /** Calls recorded. */
  tries: number;
  /** Chance a try answers. */
  success: number;
  failures: FailureShare[];
  /** Mean latency of an answered try, and of a failed one, ms. */
  okLatencyMs: number;
  failLatencyMs: number;
  /** Mean time to first byte of an answered try (its latency when none was recorded), ms: what `lowest-latency` ranks by. */
  okTtfbMs: number;
}

// The failure a recorded attempt stands for, built by the same factories the router's failures come from, so
// replay judges it (retry, move on, stop) exactly as routing would.
function failureOf(kind: string | undefined, status: number | undefined): AttemptFailure {
  const upstream = (s: number) => normaliseUpstreamError({ providerLabel: 'replay', status: s, message: '', headers: {} });
  switch (kind) {
    case undefined:
    case 'status':
      return new AttemptFailure('status', upstream(status ?? 502), status);
    case 'stream_error':
      return new AttemptFailure('stream_error', upstream(status !== undefined && status >= 400 ? status : 502), status);
    case 'stream_cut':
      return attemptFailures.streamCut('replay');
    case 'bad_answer':
      return attemptFailures.invalidJson('replay', status ?? 200);
    case 'refused':
      return attemptFailures.unsupportedEndpoint('replay', '', '');
    default:
      return attemptFailures.transport('replay', kind as CalledFailureKind, '', status);
  }
}

const classes = new Map<string, FailureClass>();

/**
 * The label and class of a failed attempt.
 *
 * @example failureClassOf({ kind: 'status', status: 503 }) // { label: '503', cls: 'transient' }
 * @example failureClassOf({ kind: 'status', status: 400 }) // { label: '400', cls: 'final' }
 */
export function failureClassOf(a: Pick<RecordedAttempt, 'kind' | 'status'>): { label: string; cls: FailureClass } {
  const label = a.kind === undefined || a.kind === 'status' ? String(a.status ?? 'no response') : a.kind;
  let cls = classes.get(`${a.kind}|${a.status}`);
  if (!cls) {
    const f = failureOf(a.kind, a.status);
    cls = isTransient(f) ? 'transient' : f.info.retryable ? 'move_on' : 'final';
    classes.set(`${a.kind}|${a.status}`, cls);
  }
  return { label, cls };
}

/** True for an attempt that says something about its target: it was called, and not abandoned by whoever waited. */
export function isEvidence(a: RecordedAttempt): boolean {
  return !a.skipped && a.kind !== 'client_abort';
}

interface Tally {
  tries: number;
  ok: number;
  okLatency: number;
  okTtfb: number;
  failLatency: number;
  failures: Map<string, { cls: FailureClass; n: number }>;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Every target's behaviour, and the assumption for the ones never called. */
export interface BehaviourModel {
  of(target: { provider: string; model: string }): TargetBehaviour;
  readonly observed: readonly TargetBehaviour[];
  /** What an unobserved target is given: the median success rate and latencies of the observed ones. */
  readonly assumed: TargetBehaviour;
}

/**
 * Collects the recorded attempts of a window, then answers for each target.
 *
 * @example
 * const book = new BehaviourBook();
 * for await (const r of log.scan(since, until)) book.add(r);
 * book.model().of({ provider: 'openai', model: 'gpt-4o-mini' }).success // 0.98
 */
export class BehaviourBook {
  private readonly tallies = new Map<string, Tally>();

  add(record: RequestRecord): void {
    for (const a of record.attempts) {
      if (!isEvidence(a)) continue;
      const key = targetKey(a);
      let t = this.tallies.get(key);
      if (!t) this.tallies.set(key, (t = { tries: 0, ok: 0, okLatency: 0, okTtfb: 0, failLatency: 0, failures: new Map() }));
      t.tries++;
      if (a.ok) {
        t.ok++;
        t.okLatency += a.latency_ms;
        t.okTtfb += a.ttfb_ms ?? a.latency_ms;
        continue;
      }
      t.failLatency += a.latency_ms;
      const { label, cls } = failureClassOf(a);
      const f = t.failures.get(label);
      if (f) f.n++;
      else t.failures.set(label, { cls, n: 1 });
    }
  }

  model(): BehaviourModel {
    const observed = new Map<string, TargetBehaviour>();
    for (const [key, t] of this.tallies) {
      const failed = t.tries - t.ok;
      observed.set(key, {
        key,
        observed: true,
        tries: t.tries,
        success: t.ok / t.tries,
        failures: [...t.failures].map(([label, f]) => ({ label, cls: f.cls, p: f.n / t.tries })),
        okLatencyMs: t.ok ? t.okLatency / t.ok : 0,
        okTtfbMs: t.ok ? t.okTtfb / t.ok : 0,
        failLatencyMs: failed ? t.failLatency / failed : 0,
      });
    }
    const all = [...observed.values()];
    const success = all.length ? median(all.map((b) => b.success)) : 1;
    const answered = all.filter((b) => b.success > 0);
    const failing = all.filter((b) => b.success < 1);
    const assumed: TargetBehaviour = {
      key: '(unobserved)',
      observed: false,
      tries: 0,
      success,
      // What failed elsewhere is not known to fail here the same way: the assumed failure moves on to the next target.
      failures: success < 1 ? [{ label: 'assumed', cls: 'move_on', p: 1 - success }] : [],
      okLatencyMs: median(answered.map((b) => b.okLatencyMs)),
      okTtfbMs: median(answered.map((b) => b.okTtfbMs)),
      failLatencyMs: median(failing.map((b) => b.failLatencyMs)),
    };
    return {
      observed: all,
      assumed,
      of: (target) => observed.get(targetKey(target)) ?? { ...assumed, key: targetKey(target) },
    };
  }
}
