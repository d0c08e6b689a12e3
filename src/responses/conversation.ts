/**
 * The parts of a turn's conversation that are not the chain behind `previous_response_id` (store/conversation.ts
 * walks that): the `item_reference`s a client sends instead of whole items, looked up in the store, and the ids
 * a turn's input items are stored with. Works against the ResponseStore contract only, so any store serves it.
 */
import { errors } from '../errors';
import { itemId, responseIdOfItem } from './ids';
import { outputItemsOf } from './store/conversation';
import type { ResponseStore, StoredResponse } from './store/types';
import type { ResponseItem } from './types';

/**
 * `input` with each `item_reference` replaced by the stored item it names (the AI SDK sends them for earlier
 * output when `store` is on). An id the gateway did not make, or cannot find for this caller, is a 400.
 *
 * @example await resolveItemReferences([{ type: 'item_reference', id: 'msg_…_0' }], store, null) // [{ type: 'message', … }]
 */
export async function resolveItemReferences(input: ResponseItem[], store: ResponseStore | undefined, owner: string | null): Promise<ResponseItem[]> {
  if (!input.some((item) => item.type === 'item_reference')) return input;
  const turns = new Map<string, StoredResponse | undefined>();
  const out: ResponseItem[] = [];
  for (const [i, item] of input.entries()) {
    if (item.type !== 'item_reference') {
      out.push(item);
      continue;
    }
    const id = item.id as string;
    const responseId = responseIdOfItem(id);
    if (!store || !responseId) throw errors.itemReferenceNotFound(`input[${i}].id`, id);
    if (!turns.has(responseId)) turns.set(responseId, await store.get(responseId, owner));
    const turn = turns.get(responseId);
    const found = turn && [...turn.inputItems, ...outputItemsOf(turn)].find((stored) => stored.id === id);
    if (!found) throw errors.itemReferenceNotFound(`input[${i}].id`, id);
    out.push(found);
  }
  return out;
}

const INPUT_PREFIX: Record<string, string> = { message: 'msg', function_call: 'fc', function_call_output: 'fco', reasoning: 'rs' };

/**
 * The turn's input items as they are stored: each with an id (the client's own when it sent one).
 *
 * @example withItemIds([{ type: 'message', role: 'user', content: 'Hi' }], 'resp_…')[0].id // 'msg_…_i0'
 */
export function withItemIds(items: ResponseItem[], responseId: string): ResponseItem[] {
  return items.map((item, i) =>
    typeof item.id === 'string' && item.id ? item : { ...item, id: itemId(INPUT_PREFIX[item.type] ?? 'item', responseId, i, true) },
  );
}
