/**
 * The behaviour every response-store engine must show, run against each of them (memory, SQLite, PostgreSQL,
 * Redis) by the tests beside them: ids, owners, retention on read, purge, and records that come back unchanged.
 */
import type { ResponseBackend } from '../../src/responses/store/backend';
import { DAY_MS, RetainedResponseStore } from '../../src/responses/store/retained-store';
import type { StoredResponse } from '../../src/responses/store/types';

/** A clock the test moves by hand. */
export interface ManualClock {
  now: () => number;
  advance(ms: number): void;
}

/** @example const clock = manualClock(Date.UTC(2026, 11, 1)); clock.advance(DAY_MS); */
export function manualClock(start: number): ManualClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** A stored turn as the POST /v1/responses handler would keep it. */
export function storedResponse(overrides: Partial<StoredResponse> & { id: string }): StoredResponse {
  return {
    owner: null,
    createdAt: Date.UTC(2026, 11, 1),
    previousResponseId: null,
    instructions: null,
    inputItems: [{ type: 'message', id: `msg_in_${overrides.id}`, role: 'user', content: [{ type: 'input_text', text: `hello from ${overrides.id}` }] }],
    response: {
      id: overrides.id,
      object: 'response',
      created_at: Math.floor((overrides.createdAt ?? Date.UTC(2026, 11, 1)) / 1000),
      status: 'completed',
      output: [
        {
          type: 'message',
          id: `msg_out_${overrides.id}`,
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'hi', annotations: [] }],
        },
      ],
    },
    ...overrides,
  };
}

/**
 * Declares the engine's tests. `open` makes a fresh, empty backend for each test, with the given clock (engines
 * whose TTLs run on their own clock ignore it).
 *
 * @example describeResponseBackend('memory', () => new MemoryResponseBackend());
 */
export function describeResponseBackend(open: (clock: ManualClock) => ResponseBackend | Promise<ResponseBackend>): void {
  let backend: ResponseBackend;
  let store: RetainedResponseStore;
  let clock: ManualClock;
  const T0 = Date.UTC(2026, 11, 1);

  beforeEach(async () => {
    clock = manualClock(T0);
    backend = await open(clock);
    store = new RetainedResponseStore(backend, { retentionMs: 30 * DAY_MS, now: clock.now });
  });
  afterEach(async () => {
    await store.close();
  });

  it('gives back a stored response exactly as it was put, by id', async () => {
    const r = storedResponse({ id: `resp_a${Math.random()}`, createdAt: T0, instructions: 'Be brief.', previousResponseId: 'resp_before' });
    r.response.text = { format: { type: 'text' } };
    r.inputItems.push({ type: 'function_call_output', id: 'fco_1', call_id: 'call_1', output: '{"ok":true} ünïcødé ✓' });
    await store.put(r);
    const back = await store.get(r.id, null);
    expect(back).toEqual(r);
    expect(JSON.stringify(back!.response)).toBe(JSON.stringify(r.response)); // key order kept too
    expect(await store.get('resp_missing', null)).toBeUndefined();
  });

  it('shows a response only to the key that created it, and to everyone when no auth runs', async () => {
    const r = storedResponse({ id: `resp_own${Math.random()}`, owner: 'team-a', createdAt: T0 });
    await store.put(r);
    expect((await store.get(r.id, 'team-a'))?.id).toBe(r.id);
    expect(await store.get(r.id, 'team-b')).toBeUndefined();
    expect((await store.get(r.id, null))?.id).toBe(r.id);
    const anonymous = storedResponse({ id: `resp_anon${Math.random()}`, owner: null, createdAt: T0 });
    await store.put(anonymous);
    expect(await store.get(anonymous.id, 'team-a')).toBeUndefined();
  });

  it('deletes only for its owner, once', async () => {
    const r = storedResponse({ id: `resp_del${Math.random()}`, owner: 'team-a', createdAt: T0 });
    await store.put(r);
    expect(await store.delete(r.id, 'team-b')).toBe(false);
    expect((await store.get(r.id, 'team-a'))?.id).toBe(r.id);
    expect(await store.delete(r.id, 'team-a')).toBe(true);
    expect(await store.delete(r.id, 'team-a')).toBe(false);
    expect(await store.get(r.id, null)).toBeUndefined();
  });

  it('replaces a response put again under the same id', async () => {
    const r = storedResponse({ id: `resp_again${Math.random()}`, createdAt: T0 });
    await store.put({ ...r, response: { ...r.response, status: 'in_progress' } });
    await store.put(r);
    expect((await store.get(r.id, null))?.response.status).toBe('completed');
  });

  it('hides a response older than the retention on read, and the purge removes it', async () => {
    const old = storedResponse({ id: `resp_old${Math.random()}`, createdAt: T0 });
    const fresh = storedResponse({ id: `resp_new${Math.random()}`, createdAt: T0 + 10 * DAY_MS });
    await store.put(old);
    await store.put(fresh);
    clock.advance(30 * DAY_MS - 1);
    expect((await store.get(old.id, null))?.id).toBe(old.id);
    clock.advance(2);
    expect(await store.get(old.id, null)).toBeUndefined();
    expect((await store.get(fresh.id, null))?.id).toBe(fresh.id);
    const purged = await store.purgeExpired();
    // Engines with TTLs expire by themselves and report 0; the others removed exactly the old one.
    if (backend.kind === 'redis') expect(purged).toBe(0);
    else {
      expect(purged).toBe(1);
      expect(await backend.get(old.id)).toBeUndefined();
    }
    expect((await backend.get(fresh.id))?.id).toBe(fresh.id);
  });
}
