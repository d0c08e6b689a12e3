import { TargetStats } from './target-stats';

describe('TargetStats shared between workers', () => {
  test("a peer's report moves the average as its samples would, and its in-flight requests add to this worker's", () => {
    const here = new TargetStats();
    const there = new TargetStats();
    there.sharing = true;
    there.recordTtfb('up/m', 100);
    there.recordTtfb('up/m', 100);
    const end = there.begin('up/m');
    here.recordTtfb('up/m', 500);
    here.begin('up/m');

    here.applyPeer(2, there.report()!);
    // Two samples of 100 after one of 500: 500 → 380 → 296, as if measured here.
    expect(here.ttfb('up/m')).toBeCloseTo(296, 6);
    expect(here.describe()['up/m']).toEqual({ ttfb_ms: 296, samples: 3, in_flight: 2 });

    // The peer's request ends: its next report says so once, then it has nothing new to say.
    end();
    here.applyPeer(2, there.report()!);
    expect(here.inFlight('up/m')).toBe(1);
    expect(there.report()).toBeUndefined();
  });

  test('a worker that exits takes its requests in flight with it', () => {
    const here = new TargetStats();
    here.applyPeer(3, { samples: [], inFlight: [['up/m', 4]] });
    expect(here.inFlight('up/m')).toBe(4);
    here.forgetPeer(3);
    expect(here.inFlight('up/m')).toBe(0);
  });

  test('a single process collects nothing to report', () => {
    const stats = new TargetStats();
    stats.recordTtfb('up/m', 100);
    expect(stats.report()).toBeUndefined();
  });
});
