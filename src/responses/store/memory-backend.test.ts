import { describeResponseBackend, storedResponse } from '../../../test/helpers/response-store-contract';
import { MemoryResponseBackend } from './memory-backend';

describe('memory response store', () => {
  describeResponseBackend(() => new MemoryResponseBackend());

  it('keeps at most its bound, dropping the oldest stored first', async () => {
    const backend = new MemoryResponseBackend(2);
    for (const id of ['resp_1', 'resp_2', 'resp_3']) await backend.put(storedResponse({ id }));
    expect(await backend.get('resp_1')).toBeUndefined();
    expect((await backend.get('resp_3'))?.id).toBe('resp_3');
  });

  it('is not changed by a caller mutating what it put or got', async () => {
    const backend = new MemoryResponseBackend();
    const r = storedResponse({ id: 'resp_m' });
    await backend.put(r);
    r.inputItems.length = 0;
    (await backend.get('resp_m'))!.inputItems.length = 0;
    expect((await backend.get('resp_m'))!.inputItems).toHaveLength(1);
  });
});
