import { describeRequestLog, record } from '../../../test/dashboard/request-log-contract';
import { MemoryRequestLog } from './memory-request-log';

describe('memory request log', () => {
  describeRequestLog(() => new MemoryRequestLog(10_000));

  test('keeps the newest N records: older ones fall out of the list and the detail', async () => {
    const log = new MemoryRequestLog(3);
    for (let i = 1; i <= 5; i++) log.append(record({ id: `r${i}`, time: i }));
    expect((await log.list({}, 10)).map((r) => r.id)).toEqual(['r5', 'r4', 'r3']);
    expect(await log.get('r1')).toBeUndefined();
    expect((await log.get('r4'))?.id).toBe('r4');
  });
});
