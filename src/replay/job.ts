/**
 * A replay run off the request path: the dashboard starts one, answers at once with its id, and the page reads
 * its progress and then its report. One runs at a time per gateway (a second start while one runs is refused,
 * not queued: two scans of a large log would only halve each other's speed); the last one's outcome is kept
 * until the next starts.
 */
import { randomUUID } from 'node:crypto';
import type { ReplayReport } from './replay';

/** What the page reads of the job: idle (none yet), running with its progress, done with the report, or failed. */
export type ReplayJobView =
  | { state: 'idle' }
  | { id: string; state: 'running'; started: string; done: number; total: number | null }
  | { id: string; state: 'done'; started: string; finished: string; done: number; total: number; report: ReplayReport }
  | { id: string; state: 'failed'; started: string; finished: string; error: { message: string; code?: string } };

/** What a job runs: the replay, told where to report its progress. */
export type ReplayRun = (onProgress: (done: number, total: number | undefined) => void) => Promise<ReplayReport>;

/**
 * The gateway's one replay slot.
 *
 * @example
 * const jobs = new ReplayJobs(() => Date.now());
 * const id = jobs.start((onProgress) => replay(log, candidate, window, { onProgress }), toError);
 * jobs.view() // { id, state: 'running', done: 5000, total: null, … }
 */
export class ReplayJobs {
  private current: ReplayJobView = { state: 'idle' };
  private ended: Promise<void> = Promise.resolve();

  constructor(private readonly now: () => number) {}

  /** True while a replay runs: the caller refuses a second start. */
  get running(): boolean {
    return this.current.state === 'running';
  }

  /**
   * Starts `run` and returns its id at once. `failure` turns what it threw into what the page shows (never a
   * stack, never the candidate's text). The caller checks `running` first; starting over a running job throws.
   */
  start(run: ReplayRun, failure: (err: unknown) => { message: string; code?: string }): string {
    if (this.running) throw new Error('a replay is already running');
    const id = `replay_${randomUUID()}`;
    const started = new Date(this.now()).toISOString();
    const job: ReplayJobView & { state: 'running' } = { id, state: 'running', started, done: 0, total: null };
    this.current = job;
    // Runs on its own: no request waits on it, so a closed page, a logout or a reload leaves it running.
    this.ended = run((done, total) => {
      job.done = done;
      job.total = total ?? null;
    }).then(
      (report) => {
        const total = report.records * 2;
        this.current = { id, state: 'done', started, finished: new Date(this.now()).toISOString(), done: total, total, report };
      },
      (err: unknown) => {
        this.current = { id, state: 'failed', started, finished: new Date(this.now()).toISOString(), error: failure(err) };
      },
    );
    return id;
  }

  /** Resolves when the current job (if any) has ended, done or failed: for shutdown and tests. */
  settled(): Promise<void> {
    return this.ended;
  }

  /** The job as the page shows it; a copy, so a caller cannot change the running one. */
  view(): ReplayJobView {
    return { ...this.current };
  }
}
