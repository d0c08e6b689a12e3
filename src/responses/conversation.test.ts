import { GatewayError } from '../errors';
import { conversationBefore, resolveItemReferences, withItemIds } from './conversation';
import { MemoryResponseStore } from './store/memory-store';
import type { StoredResponse } from './store/types';

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

async function storeWith(...turns: StoredResponse[]): Promise<MemoryResponseStore> {
  const store = new MemoryResponseStore();
  for (const t of turns) await store.put(t);
  return store;
}

describe('conversationBefore', () => {
  test('walks the chain back and returns every turn’s input and output, oldest first', async () => {
    const store = await storeWith(turn('1', null, 'a', 'b'), turn('2', '1', 'c', 'd'));
    const items = await conversationBefore(store, `resp_${hex('2')}`, 'team-a');
    expect(items.map((i) => (typeof i.content === 'string' ? i.content : (i.content as { text: string }[])[0].text))).toEqual(['a', 'b', 'c', 'd']);
  });

  test('another key’s response, or a missing link in the chain, is a 400 naming previous_response_id', async () => {
    const store = await storeWith(turn('2', '1', 'c', 'd'));
    await expect(conversationBefore(store, `resp_${hex('2')}`, 'team-b')).rejects.toMatchObject({ status: 400, param: 'previous_response_id' });
    await expect(conversationBefore(store, `resp_${hex('2')}`, 'team-a')).rejects.toMatchObject({ code: 'previous_response_not_found' });
  });

  test('a chain that loops back on itself is refused instead of walked forever', async () => {
    const store = await storeWith(turn('1', '2', 'a', 'b'), turn('2', '1', 'c', 'd'));
    await expect(conversationBefore(store, `resp_${hex('1')}`, 'team-a')).rejects.toBeInstanceOf(GatewayError);
  });
});

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
