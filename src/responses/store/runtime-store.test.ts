import { createLogger } from '../../observability/logger';
import { StateRegistry } from '../../runtime/state-registry';
import { storedResponse } from '../../../test/helpers/response-store-contract';
import { DAY_MS, type RetainedResponseStore } from './retained-store';
import { keepResponseStore, PURGE_INTERVAL_MS } from './runtime-store';

const log = createLogger({ silent: true });

/** One snapshot build, as the gateway does it at start and on each reload. */
async function build(state: StateRegistry, responses: Record<string, unknown>): Promise<RetainedResponseStore | undefined> {
  state.beginBuild();
  const store = keepResponseStore({ responses }, '/tmp', state.keep.bind(state), log);
  await state.retainTouched();
  return store;
}

describe('the runtime response store', () => {
  afterEach(() => jest.useRealTimers());

  it('keeps the same engine across reloads that keep the store URL, and applies a new retention', async () => {
    const state = new StateRegistry();
    const first = await build(state, { store: 'memory', retention_days: 30 });
    const second = await build(state, { store: 'memory', retention_days: 7 });
    expect(second!.backend).toBe(first!.backend);
    expect(second!.retentionMs).toBe(7 * DAY_MS);
    await state.disposeAll();
  });

  it('closes the old engine when a reload names another store, and has none when disabled', async () => {
    const state = new StateRegistry();
    const first = await build(state, { store: 'memory' });
    await first!.put(storedResponse({ id: 'resp_1', createdAt: Date.now() }));
    const other = await build(state, { store: 'sqlite://:memory:' });
    expect(other!.backend).not.toBe(first!.backend);
    expect(await first!.backend.get('resp_1')).toBeUndefined(); // the memory engine was closed (emptied)
    expect(await build(state, { enabled: false })).toBeUndefined();
    await state.disposeAll();
  });

  it('purges expired responses soon after start and then every hour, on the clock it is given', async () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 11, 1) });
    const state = new StateRegistry();
    const store = (await build(state, { store: 'memory', retention_days: 1 }))!;
    await store.backend.put(storedResponse({ id: 'resp_old', createdAt: Date.now() - 2 * DAY_MS }), Infinity);
    await store.backend.put(storedResponse({ id: 'resp_new', createdAt: Date.now() }), Infinity);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(await store.backend.get('resp_old')).toBeUndefined();
    expect(await store.backend.get('resp_new')).toBeDefined();
    await jest.advanceTimersByTimeAsync(DAY_MS - 10_000 + 1);
    await jest.advanceTimersByTimeAsync(PURGE_INTERVAL_MS);
    expect(await store.backend.get('resp_new')).toBeUndefined();
    await state.disposeAll();
    expect(jest.getTimerCount()).toBe(0);
  });
});
