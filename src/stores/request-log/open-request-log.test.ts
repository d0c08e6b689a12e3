import { record, T0 } from '../../../test/dashboard/request-log-contract';
import { createLogger } from '../../observability/logger';
import { MemoryRequestLog } from './memory-request-log';
import { purgeCutoff, startPurging } from './open-request-log';

const DAY = 86_400_000;

describe('retention', () => {
  afterEach(() => jest.useRealTimers());

  test('the purge after start deletes records older than retention_days with their rollup rows, then repeats hourly', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const log = new MemoryRequestLog(100);
    log.append(record({ id: 'req_31_days_old', time: T0 - 31 * DAY, alias: 'chat' }));
    log.append(record({ id: 'req_29_days_old', time: T0 - 29 * DAY, alias: 'chat' }));
    log.append(record({ id: 'req_today', time: T0, alias: 'chat' }));
    const logger = createLogger({ silent: true });
    let told: (meta: Record<string, unknown>) => void = () => {};
    jest.spyOn(logger, 'info').mockImplementation(((_m: string, meta: Record<string, unknown>) => (told(meta), logger)) as typeof logger.info);
    const nextPurge = () => new Promise<Record<string, unknown>>((resolve) => (told = resolve));
    let now = T0;
    const stop = startPurging(log, 30 * DAY, 'memory', logger, () => now);
    let purged = nextPurge();
    jest.advanceTimersByTime(10_000);
    expect(await purged).toMatchObject({ deleted: 1 });
    expect((await log.list({}, 10)).map((r) => r.id)).toEqual(['req_today', 'req_29_days_old']);
    // Two days later the hourly round takes the next one.
    now = T0 + 2 * DAY;
    purged = nextPurge();
    jest.advanceTimersByTime(3_600_000);
    expect(await purged).toMatchObject({ deleted: 1 });
    expect((await log.list({}, 10)).map((r) => r.id)).toEqual(['req_today']);
    stop();
  });

  test('the cutoff is a whole hour, so minute and hour rollups lose exactly the records that went', () => {
    expect(purgeCutoff(Date.UTC(2026, 11, 31, 10, 42, 7), 30 * DAY)).toBe(Date.UTC(2026, 11, 1, 10, 0, 0));
  });
});
