/** The replay window's flags: durations back from now, dates, and the errors for what parses as neither. */
import { replayWindow } from '../../src/replay/window';

const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('replay window', () => {
  test('a duration counts back from now, and the window ends now without --until', () => {
    expect(replayWindow('7d', undefined, NOW)).toEqual({ since: NOW - 7 * 86_400_000, until: NOW });
    expect(replayWindow('90m', '30m', NOW)).toEqual({ since: NOW - 90 * 60_000, until: NOW - 30 * 60_000 });
  });

  test('dates and ISO timestamps are taken as they are', () => {
    expect(replayWindow('2026-11-24', '2026-11-25T06:00:00Z', NOW)).toEqual({ since: Date.parse('2026-11-24'), until: Date.parse('2026-11-25T06:00:00Z') });
  });

  test('a bound that is neither, or an empty window, names the flag', () => {
    expect(replayWindow('last week', undefined, NOW)).toMatchObject({ bad: 'since' });
    expect(replayWindow('1d', 'soon', NOW)).toMatchObject({ bad: 'until' });
    expect(replayWindow('1d', '2d', NOW)).toEqual({ bad: 'until', why: 'the window is empty: --until must come after --since' });
  });
});
