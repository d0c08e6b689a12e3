/**
 * The gateway's replay slot: a job answers with its id at once, shows its progress while it runs, keeps its
 * report (or the reason it failed) until the next one, and refuses a second start while one runs. The engine's
 * progress calls come from a real replay over records in memory.
 */
import { ReplayJobs, type ReplayJobView } from '../../src/replay/job';
import { replay, type ReplayReport } from '../../src/replay/replay';
import { recordSource } from '../../src/replay/source';
import { loadCandidate } from '../../src/replay/candidate';
import { served, T0 } from './records';

const NOW = Date.UTC(2026, 11, 1, 12);
const CANDIDATE = `
providers:
  up: { api: openai, base_url: "http://127.0.0.1:9/v1" }
pricing:
  gpt-4o-mini: { input: 0.15, output: 0.6 }
models:
  chat: { targets: [ { provider: up, model: gpt-4o-mini } ] }
`;

/** A run the test ends when it likes. */
function heldRun(): {
  run: (onProgress: (done: number, total: number | undefined) => void) => Promise<ReplayReport>;
  finish(): void;
  fail(): void;
  progress(done: number, total?: number): void;
} {
  let resolve!: (r: ReplayReport) => void;
  let reject!: (e: Error) => void;
  let report!: (done: number, total: number | undefined) => void;
  const held = new Promise<ReplayReport>((res, rej) => ((resolve = res), (reject = rej)));
  return {
    run: (onProgress) => ((report = onProgress), held),
    finish: () => resolve({ records: 3 } as ReplayReport),
    fail: () => reject(new Error('SQLITE_CORRUPT at /var/lib/secret-path.db')),
    progress: (done, total) => report(done, total),
  };
}

describe('the replay job slot', () => {
  test('is idle before the first job', () => {
    expect(new ReplayJobs(() => NOW).view()).toEqual({ state: 'idle' });
  });

  test('a job shows its progress while it runs, then its report, and the report stays until the next job', async () => {
    const jobs = new ReplayJobs(() => NOW);
    const held = heldRun();
    const id = jobs.start(held.run, () => ({ message: 'x' }));
    expect(jobs.view()).toMatchObject({ id, state: 'running', done: 0, total: null });
    held.progress(5000);
    expect(jobs.view()).toMatchObject({ state: 'running', done: 5000, total: null });
    held.progress(7000, 10000);
    expect(jobs.view()).toMatchObject({ state: 'running', done: 7000, total: 10000 });
    held.finish();
    await jobs.settled();
    expect(jobs.view()).toMatchObject({ id, state: 'done', done: 6, total: 6, report: { records: 3 } });
    expect(jobs.view()).toMatchObject({ state: 'done' });
    const next = heldRun();
    const second = jobs.start(next.run, () => ({ message: 'x' }));
    expect(second).not.toBe(id);
    expect(jobs.view()).toMatchObject({ id: second, state: 'running' });
  });

  test('refuses a second start while one runs', async () => {
    const jobs = new ReplayJobs(() => NOW);
    const held = heldRun();
    jobs.start(held.run, () => ({ message: 'x' }));
    expect(jobs.running).toBe(true);
    expect(() => jobs.start(heldRun().run, () => ({ message: 'x' }))).toThrow('already running');
    held.finish();
    await jobs.settled();
    expect(jobs.running).toBe(false);
  });

  test('a failed job keeps only the message its caller chose, not the cause', async () => {
    const jobs = new ReplayJobs(() => NOW);
    const held = heldRun();
    jobs.start(held.run, () => ({ message: 'The request log could not be read', code: 'replay_store_unavailable' }));
    held.fail();
    await jobs.settled();
    const view = jobs.view() as ReplayJobView & { state: 'failed' };
    expect(view.error).toEqual({ message: 'The request log could not be read', code: 'replay_store_unavailable' });
    expect(JSON.stringify(view)).not.toContain('secret-path');
  });

  test('a replay reports its progress through both passes and ends at the total', async () => {
    const records = Array.from({ length: 12_000 }, () => served('chat', 'up/gpt-4o'));
    const calls: [number, number | undefined][] = [];
    const report = await replay(
      recordSource(records),
      loadCandidate(CANDIDATE, 'candidate.yaml'),
      { since: T0, until: T0 + 10 ** 9 },
      {
        onProgress: (done, total) => calls.push([done, total]),
      },
    );
    expect(report.records).toBe(12_000);
    expect(calls).toEqual([
      [5000, undefined],
      [10000, undefined],
      [17000, 24000],
      [22000, 24000],
      [24000, 24000],
    ]);
  });
});
