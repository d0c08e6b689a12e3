/**
 * The conversation a turn continues: `previous_response_id`'s chain walked back through the store (each turn's
 * input items, then its output), and the `item_reference`s a client sends instead of whole items, looked up.
 * Works against the ResponseStore contract only, so any store (memory, SQLite, Redis, PostgreSQL) serves it.
 */
import { errors } from '../errors';
import { itemId, responseIdOfItem } from './ids';
import type { ResponseStore, StoredResponse } from './store/types';
import type { ResponseItem } from './types';

/** A chain longer than this is refused rather than walked (a loop in a corrupted store must not hang a request). */
const MAX_TURNS = 10_000;

/**
 * Every item of the turns up to and including `previousId`, oldest first. A missing link (expired, deleted,
 * another key's) is a 400 naming it: a conversation with a hole would mislead the model.
 *
 * @example await conversationBefore(store, 'resp_…', 'team-a') // [userMessage, assistantMessage, …]
 */
export async function conversationBefore(store: ResponseStore, previousId: string, owner: string | null): Promise<ResponseItem[]> {
  const turns: StoredResponse[] = [];
  const seen = new Set<string>();
  let id: string | null = previousId;
  while (id !== null) {
    if (seen.has(id) || turns.length >= MAX_TURNS) throw errors.previousResponseNotFound(id);
    seen.add(id);
    const turn: StoredResponse | undefined = await store.get(id, owner);
    if (!turn) throw errors.previousResponseNotFound(id);
    turns.push(turn);
    id = turn.previousResponseId;
  }
  const items: ResponseItem[] = [];
  for (const turn of turns.reverse()) items.push(...turn.inputItems, ...((turn.response.output as ResponseItem[] | undefined) ?? []));
  return items;
}

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
    const found = turn && [...turn.inputItems, ...((turn.response.output as ResponseItem[] | undefined) ?? [])].find((stored) => stored.id === id);
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
