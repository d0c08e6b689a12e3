import { resolveItemReferences, withItemIds } from './conversation';
import type { ResponseStore, StoredResponse } from './store/types';

/** The smallest store the contract allows: a map with the owner check. */
class MapStore implements ResponseStore {
  private readonly byId = new Map<string, StoredResponse>();
  put(r: StoredResponse) {
    this.byId.set(r.id, r);
    return Promise.resolve();
  }
  get(id: string, owner: string | null) {
    const r = this.byId.get(id);
    return Promise.resolve(r && r.owner === owner ? r : undefined);
  }
  delete(id: string) {
    return Promise.resolve(this.byId.delete(id));
  }
  close() {
    return Promise.resolve();
  }
}

const hex = (c: string) => c.repeat(32);
function turn(id: string, previous: string | null, said: string, answered: string, owner: string | null = 'team-a'): StoredResponse {
  return {
    id: `resp_${hex(id)}`,
    owner,
    createdAt: 0,
    previousResponseId: previous && `resp_${hex(previous)}`,
    instructions: null,
    inputItems: [{ type: 'message', id: `msg_${hex(id)}_i0`, role: 'user', content: said }],
    response: { output: [{ type: 'message', id: `msg_${hex(id)}_0`, role: 'assistant', content: [{ type: 'output_text', text: answered }] }] },
  };
}

async function storeWith(...turns: StoredResponse[]): Promise<MapStore> {
  const store = new MapStore();
  for (const t of turns) await store.put(t);
  return store;
}

describe('resolveItemReferences', () => {
  test('an item_reference becomes the stored item it names', async () => {
    const store = await storeWith(turn('1', null, 'a', 'b'));
    const resolved = await resolveItemReferences(
      [
        { type: 'item_reference', id: `msg_${hex('1')}_0` },
        { type: 'message', role: 'user', content: 'x' },
      ],
      store,
      'team-a',
    );
    expect(resolved[0]).toMatchObject({ type: 'message', role: 'assistant' });
    expect(resolved[1]).toMatchObject({ content: 'x' });
  });

  test('a reference the caller cannot see, or not made by the gateway, is a 400 naming its place', async () => {
    const store = await storeWith(turn('1', null, 'a', 'b'));
    await expect(resolveItemReferences([{ type: 'item_reference', id: `msg_${hex('1')}_0` }], store, 'team-b')).rejects.toMatchObject({ param: 'input[0].id' });
    await expect(resolveItemReferences([{ type: 'item_reference', id: 'msg_abc' }], store, null)).rejects.toMatchObject({ code: 'item_not_found' });
  });
});

test('withItemIds gives input items the ids of their response and keeps a client’s own', () => {
  const items = withItemIds(
    [
      { type: 'message', role: 'user', content: 'a' },
      { type: 'function_call_output', id: 'mine', call_id: 'c', output: 'x' },
    ],
    `resp_${hex('9')}`,
  );
  expect(items.map((i) => i.id)).toEqual([`msg_${hex('9')}_i0`, 'mine']);
});
