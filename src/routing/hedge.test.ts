import type { AbortSource } from '../upstream/abort-flag';
import type { ResolvedAlias } from './snapshot-types';
import type { PlannedAttempt } from './attempt-plan';
import { RaceLost, tryWithHedge } from './hedge';

const step = (model: string): PlannedAttempt => ({ alias: { name: 'a' } as ResolvedAlias, target: { provider: 'p', model, weight: 1 } });

/** A try that answers `model` after `ms`, or fails; records aborts. */
function fakeTry(plan: Record<string, { ms: number; fail?: boolean }>, aborted: string[]) {
  return (s: PlannedAttempt, signal: AbortSource) =>
    new Promise<string>((resolve, reject) => {
      const p = plan[s.target.model];
      const timer = setTimeout(() => (p.fail ? reject(new Error(`${s.target.model} failed`)) : resolve(s.target.model)), p.ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        aborted.push(s.target.model);
        reject(new Error('aborted'));
      });
    });
}

describe('tryWithHedge', () => {
  test('a slow primary is hedged; the hedge wins and the primary is aborted', async () => {
    const aborted: string[] = [];
    const next = [step('fast')];
    const won = await tryWithHedge({
      primary: step('slow'),
      nextStep: () => next.shift(),
      tryTarget: fakeTry({ slow: { ms: 1000 }, fast: { ms: 10 } }, aborted),
      signal: new AbortController().signal,
      hedgeAfterMs: 30,
    });
    expect(won.step.target.model).toBe('fast');
    expect(won.step.hedge).toBe(true);
    expect(aborted).toEqual(['slow']);
  });

  test('a primary that answers in time is never hedged', async () => {
    let drawn = 0;
    const won = await tryWithHedge({
      primary: step('ok'),
      nextStep: () => (drawn++, step('x')),
      tryTarget: fakeTry({ ok: { ms: 5 } }, []),
      signal: new AbortController().signal,
      hedgeAfterMs: 100,
    });
    expect(won.value).toBe('ok');
    expect(drawn).toBe(0);
  });

  test('a primary that fails before the hedge is due fails alone, leaving the plan to the routing loop', async () => {
    let drawn = 0;
    const p = tryWithHedge({
      primary: step('bad'),
      nextStep: () => (drawn++, undefined),
      tryTarget: fakeTry({ bad: { ms: 5, fail: true } }, []),
      signal: new AbortController().signal,
      hedgeAfterMs: 100,
    });
    await expect(p).rejects.toBeInstanceOf(RaceLost);
    expect(drawn).toBe(0);
  });

  test('when both racers fail, both failures are reported', async () => {
    const next = [step('b')];
    const err = (await tryWithHedge({
      primary: step('a'),
      nextStep: () => next.shift(),
      tryTarget: fakeTry({ a: { ms: 300, fail: true }, b: { ms: 10, fail: true } }, []),
      signal: new AbortController().signal,
      hedgeAfterMs: 20,
    }).catch((e: unknown) => e)) as RaceLost;
    expect(err).toBeInstanceOf(RaceLost);
    expect(err.failures.map((f) => f.step.target.model)).toEqual(['b', 'a']);
  });

  test("a loser's late answer is discarded", async () => {
    const discarded: string[] = [];
    const resolvers = new Map<string, (v: string) => void>();
    let hedgeStarted!: () => void;
    const hedgeRunning = new Promise<void>((r) => (hedgeStarted = r));
    const next = [step('b')];
    const race = tryWithHedge({
      primary: step('a'),
      nextStep: () => next.shift(),
      // Answers only when the test says so, and ignores aborts: the late answer must still be released.
      tryTarget: (s) =>
        new Promise<string>((r) => {
          resolvers.set(s.target.model, r);
          if (s.target.model === 'b') hedgeStarted();
        }),
      signal: new AbortController().signal,
      hedgeAfterMs: 5,
      discard: (v) => discarded.push(v),
    });
    await hedgeRunning;
    resolvers.get('b')!('b');
    expect((await race).value).toBe('b');
    resolvers.get('a')!('a');
    await new Promise((r) => setImmediate(r));
    expect(discarded).toEqual(['a']);
  });
});
