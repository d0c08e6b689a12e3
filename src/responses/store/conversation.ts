/**
 * Rebuilds the conversation behind `previous_response_id` from stored turns, so the next turn can go to any
 * backend (a conversation begun on one provider may continue on another): for each earlier turn, oldest first,
 * its input items, then the output items of its response. Earlier turns' `instructions` are not carried: the
 * Responses API applies only the current request's instructions.
 */
import { errors } from '../../errors';
import type { ResponseItem, ResponseStore, StoredResponse } from './types';

/** Turns walked at most; a longer chain is refused rather than read without end (or round a loop in stored data). */
export const MAX_CONVERSATION_TURNS = 1000;

/** The output items of a stored Response object (its `output` array; anything else there is not an item). */
export function outputItemsOf(stored: StoredResponse): ResponseItem[] {
  const output = stored.response.output;
  if (!Array.isArray(output)) return [];
  return output.filter((item): item is ResponseItem => typeof item === 'object' && item !== null && typeof (item as ResponseItem).type === 'string');
}

/**
 * The items of every turn up to and including `previousResponseId`, in order. Throws 400
 * `previous_response_not_found` (param `previous_response_id`) when that response, or one before it, is missing,
 * expired or another key's, and 400 `conversation_too_long` past `maxTurns`.
 *
 * @example
 * const earlier = await conversationBefore(store, body.previous_response_id, responseOwner(ctx));
 * const items = [...earlier, ...inputItemsOf(body)];
 */
export async function conversationBefore(
  store: ResponseStore,
  previousResponseId: string,
  owner: string | null,
  maxTurns = MAX_CONVERSATION_TURNS,
): Promise<ResponseItem[]> {
  const turns: StoredResponse[] = [];
  const seen = new Set<string>();
  let id: string | null = previousResponseId;
  while (id !== null) {
    if (turns.length >= maxTurns || seen.has(id)) throw errors.conversationTooLong(maxTurns);
    seen.add(id);
    const stored = await store.get(id, owner);
    if (!stored) throw errors.previousResponseNotFound(id);
    turns.push(stored);
    id = stored.previousResponseId;
  }
  const items: ResponseItem[] = [];
  for (let i = turns.length - 1; i >= 0; i--) items.push(...turns[i].inputItems, ...outputItemsOf(turns[i]));
  return items;
}
