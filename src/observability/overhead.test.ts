import type { AttemptRecord } from '../pipeline/types';
import { formatOverhead, upstreamWaitMs } from './overhead';

const attempt = (startMs: number | undefined, latencyMs: number, extra: Partial<AttemptRecord> = {}): AttemptRecord => ({
  alias: 'a',
  provider: 'p',
  model: 'm',
  latencyMs,
  ok: true,
  ...(startMs === undefined ? {} : { startMs }),
  ...extra,
});

describe('upstreamWaitMs', () => {
  it('adds attempts one after another', () => {
    expect(upstreamWaitMs([attempt(1, 10, { ok: false }), attempt(12, 5)])).toBe(15);
  });
  it('merges overlapping hedges instead of summing them', () => {
    expect(upstreamWaitMs([attempt(1, 10), attempt(5, 10), attempt(6, 2)])).toBe(14);
  });
  it('ignores attempts that never reached the upstream', () => {
    expect(upstreamWaitMs([attempt(undefined, 30, { skipped: true }), attempt(undefined, 8, { ok: false }), attempt(40, 2)])).toBe(2);
  });
  it('formats milliseconds with two decimals', () => {
    expect(formatOverhead(0.4213)).toBe('0.42');
  });
});
