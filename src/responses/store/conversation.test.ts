import { storedResponse } from '../../../test/helpers/response-store-contract';
import { GatewayError } from '../../errors';
import { conversationBefore } from './conversation';
import { MemoryResponseBackend } from './memory-backend';
import { DAY_MS, RetainedResponseStore } from './retained-store';

const T0 = Date.UTC(2026, 11, 1);

async function chainStore(owner: string | null) {
  const store = new RetainedResponseStore(new MemoryResponseBackend(), { retentionMs: 30 * DAY_MS, now: () => T0 });
  await store.put(storedResponse({ id: 'resp_1', owner, instructions: 'First instructions.' }));
  await store.put(storedResponse({ id: 'resp_2', owner, previousResponseId: 'resp_1', instructions: 'Second instructions.' }));
  await store.put(storedResponse({ id: 'resp_3', owner, previousResponseId: 'resp_2' }));
  return store;
}

async function refusal(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('conversationBefore', () => {
  it('returns every earlier turn, oldest first: its input items, then its output items, without instructions', async () => {
    const store = await chainStore(null);
    const items = await conversationBefore(store, 'resp_3', null);
    expect(items.map((i) => i.id)).toEqual(['msg_in_resp_1', 'msg_out_resp_1', 'msg_in_resp_2', 'msg_out_resp_2', 'msg_in_resp_3', 'msg_out_resp_3']);
    expect(JSON.stringify(items)).not.toContain('instructions');
  });

  it('starts from the turn named, not from the newest one', async () => {
    const store = await chainStore(null);
    expect((await conversationBefore(store, 'resp_1', null)).map((i) => i.id)).toEqual(['msg_in_resp_1', 'msg_out_resp_1']);
  });

  it("refuses another key's response as not found, in OpenAI's shape", async () => {
    const store = await chainStore('team-a');
    const err = await refusal(conversationBefore(store, 'resp_3', 'team-b'));
    expect(err).toMatchObject({ status: 400, code: 'previous_response_not_found', param: 'previous_response_id', type: 'invalid_request_error' });
    expect(err.message).toBe("Previous response with id 'resp_3' not found.");
    expect((await conversationBefore(store, 'resp_3', 'team-a')).length).toBe(6);
  });

  it('names a missing earlier turn (deleted or expired) in the middle of the chain', async () => {
    const store = await chainStore(null);
    await store.delete('resp_1', null);
    const err = await refusal(conversationBefore(store, 'resp_3', null));
    expect(err.code).toBe('previous_response_not_found');
    expect(err.message).toContain("'resp_1'");
  });

  it('refuses a chain longer than the bound, and a loop in stored data', async () => {
    const store = await chainStore(null);
    expect((await refusal(conversationBefore(store, 'resp_3', null, 2))).code).toBe('conversation_too_long');
    await store.put(storedResponse({ id: 'resp_1', previousResponseId: 'resp_3' }));
    expect((await refusal(conversationBefore(store, 'resp_3', null))).code).toBe('conversation_too_long');
  });
});
