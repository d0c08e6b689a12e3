/**
 * The Replay page's data: the running config as a starting candidate (secrets redacted), and a replay job over
 * the request log under a candidate posted as YAML (its progress, then its report). The candidate is loaded with an empty environment and no plugin
 * is loaded, so a pasted config can read neither the server's secrets nor its files, and no provider is called.
 */
import { stringify } from 'yaml';
import { replayErrors } from '../errors';
import { formatProblem, ConfigError } from '../config/problems';
import { loadCandidate } from '../replay/candidate';
import { ReplayJobs } from '../replay/job';
import { replay } from '../replay/replay';
import { replayWindow } from '../replay/window';
import type { RuntimeSnapshot } from '../routing/snapshot-types';
import type { RuntimeHandle } from '../server/runtime-handle';
import { redactConfig } from './redact-config';

/** The name problems and the report give the posted candidate. */
const CANDIDATE_FILE = 'candidate.yaml';
const MAX_CANDIDATE_CHARS = 1_000_000;

/**
 * The posted request. Its `toJSON` leaves the candidate out, so a debug log of request bodies never holds a
 * pasted config (which may carry keys).
 */
export class ReplayRequest {
  constructor(
    readonly config: string,
    readonly since?: string,
    readonly until?: string,
  ) {}

  toJSON(): Record<string, unknown> {
    return { config: `(${this.config.length} characters, not logged)`, since: this.since, until: this.until };
  }
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw replayErrors.replayBadRequest(`"${field}" must be a string`, field);
  return v;
}

/**
 * The endpoint's `parse`: the JSON body as a ReplayRequest, or a 400.
 *
 * @example replayRequestOf({ config: 'providers: …', since: '7d' }).since // '7d'
 */
export function replayRequestOf(body: unknown): ReplayRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw replayErrors.replayBadRequest('the body is not a JSON object', 'config');
  const b = body as Record<string, unknown>;
  if (typeof b.config !== 'string' || b.config.trim() === '') throw replayErrors.replayBadRequest('"config" is missing', 'config');
  if (b.config.length > MAX_CANDIDATE_CHARS) throw replayErrors.replayBadRequest(`"config" is over ${MAX_CANDIDATE_CHARS} characters`, 'config');
  return new ReplayRequest(b.config, optionalString(b, 'since'), optionalString(b, 'until'));
}

/**
 * What the page starts from: the running config as YAML with its secrets redacted, and the default window.
 *
 * @example replayTemplate(snapshot).config // 'server:\n  host: 127.0.0.1\n…'
 */
export function replayTemplate(snapshot: RuntimeSnapshot): { config: string; since: string } {
  return { config: stringify(redactConfig(snapshot.config), { lineWidth: 0 }), since: '7d' };
}

const jobsOf = new WeakMap<RuntimeHandle, ReplayJobs>();

/** The gateway's replay slot. @example replayJobsOf(handle).view().state // 'idle' */
export function replayJobsOf(handle: RuntimeHandle): ReplayJobs {
  let jobs = jobsOf.get(handle);
  if (!jobs) jobsOf.set(handle, (jobs = new ReplayJobs(() => Date.now())));
  return jobs;
}

/**
 * Starts replaying the gateway's request log under the posted candidate and answers with the job's id; the
 * window and the candidate are checked first, so a bad one is still a 400 on the POST. Query `since` / `until`
 * win over the body's. The job holds a lease on the snapshot whose log it reads, so a reload cannot close the
 * store under it.
 *
 * @example await startReplay(handle, replayRequestOf(body), {}, Date.now()) // { id: 'replay_…', state: 'running' }
 */
export function startReplay(handle: RuntimeHandle, request: ReplayRequest, query: Record<string, string>, now: number): { id: string; state: 'running' } {
  const since = query.since ?? request.since ?? '7d';
  const window = replayWindow(since, query.until ?? request.until, now);
  if ('bad' in window) throw replayErrors.replayBadRequest(window.why, window.bad);
  let candidate;
  try {
    candidate = loadCandidate(request.config, CANDIDATE_FILE);
  } catch (err) {
    if (err instanceof ConfigError) throw replayErrors.replayBadCandidate(err.problems.map((p) => formatProblem(CANDIDATE_FILE, p)));
    throw err;
  }
  const jobs = replayJobsOf(handle);
  if (jobs.running) throw replayErrors.replayRunning();
  const lease = handle.acquire();
  const requestLog = lease.snapshot.requestLog;
  if (!requestLog) {
    lease.release();
    throw replayErrors.replayStoreFailed('none configured');
  }
  const id = jobs.start(
    (onProgress) => replay(requestLog, candidate, window, { onProgress }).finally(() => lease.release()),
    (err) => {
      handle.log.warn('replay could not read the request log', { store: requestLog.kind, error: (err as Error).message });
      const e = replayErrors.replayStoreFailed(requestLog.kind);
      return { message: e.message, code: e.code ?? undefined };
    },
  );
  return { id, state: 'running' };
}
