/**
 * What the Responses API keeps between turns: each response the gateway answered with `store: true`, the input
 * items of its turn, and who made it. `previous_response_id` walks this chain back to rebuild the whole
 * conversation for whichever backend serves the next turn.
 */

/** One item of a Responses API conversation (a message, function_call, function_call_output, reasoning…), each with an `id`. */
export type ResponseItem = { type: string; id?: string; [k: string]: unknown };

export interface StoredResponse {
  /** `resp_…` */
  id: string;
  /** The auth key name that created it; null when no auth plugin runs. Only this owner may read or delete it. */
  owner: string | null;
  /** ms since epoch. */
  createdAt: number;
  /** The turn's `previous_response_id`, or null for the first turn. */
  previousResponseId: string | null;
  /** The turn's `instructions` (not carried over to the next turn, per the spec). */
  instructions: string | null;
  /** This turn's input items, normalised to item objects with ids (a string input becomes one user message). */
  inputItems: ResponseItem[];
  /** The Response object exactly as sent to the client (its `output` holds the output items). */
  response: Record<string, unknown>;
}

/**
 * @example
 * await store.put(stored);
 * const again = await store.get('resp_abc', 'team-a'); // undefined for another key
 */
export interface ResponseStore {
  put(response: StoredResponse): Promise<void>;
  /** undefined when missing, expired, or owned by someone else. */
  get(id: string, owner: string | null): Promise<StoredResponse | undefined>;
  /** true when it existed (and belonged to `owner`). */
  delete(id: string, owner: string | null): Promise<boolean>;
  close(): Promise<void>;
}
