/**
 * Ids of responses and of their items. An item id carries its response's id (`msg_<hex>_3` belongs to
 * `resp_<hex>`), so an `item_reference` a client sends back can be found in the store without an item index.
 */
import { randomBytes } from 'node:crypto';

const ITEM_ID = /^[a-z]+_([0-9a-f]{32})_i?\d+$/;

/**
 * @example newResponseId() // 'resp_0f3a…' (32 hex digits)
 */
export function newResponseId(): string {
  return `resp_${randomBytes(16).toString('hex')}`;
}

/**
 * The id of the `index`-th item of a response: output items (`input: false`) and the turn's input items.
 *
 * @example itemId('msg', 'resp_0f3a…', 0) // 'msg_0f3a…_0'
 * @example itemId('fc', 'resp_0f3a…', 2, true) // 'fc_0f3a…_i2'
 */
export function itemId(prefix: string, responseId: string, index: number, input = false): string {
  return `${prefix}_${responseId.slice('resp_'.length)}_${input ? 'i' : ''}${index}`;
}

/**
 * The response an item id of the gateway's belongs to, or undefined for an id the gateway did not make.
 *
 * @example responseIdOfItem('msg_0f3a…_0') // 'resp_0f3a…'
 */
export function responseIdOfItem(id: string): string | undefined {
  const m = ITEM_ID.exec(id);
  return m ? `resp_${m[1]}` : undefined;
}
