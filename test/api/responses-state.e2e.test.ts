/**
 * The Responses API's stored state through the real gateway: GET /v1/responses/{id}, its input_items, DELETE,
 * cancel (refused), POST /v1/responses/input_tokens, each key seeing only its own responses, the official
 * openai SDK against it, and a hot reload that keeps every stored response. Responses are seeded through the
 * store's own API (the one POST /v1/responses writes through).
 */
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { countTokens } from 'gpt-tokenizer/cjs/encoding/o200k_base';
import { storedResponse } from '../helpers/response-store-contract';
import { describeWithService, dropPostgresTable, POSTGRES_URL, REDIS_URL, scratchTable } from '../helpers/services';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';
import type { ResponseItem, ResponseStore, StoredResponse } from '../../src/responses/store/types';

const TEAM_A = 'team-a-key-0001';
const TEAM_B = 'team-b-key-0001';

const baseConfig = (extra = '') => `
providers:
  demo: { api: mock }
models:
  chat: { targets: [ { provider: demo, model: echo } ] }
${extra}`;

const authPlugin = `
plugins:
  - use: auth
    keys:
      - { name: team-a, key: "${TEAM_A}", models: ["*"] }
      - { name: team-b, key: "${TEAM_B}", models: [chat] }
`;

function storeOf(gw: InProcessGateway): ResponseStore {
  const store = gw.gateway.snapshot.responseStore;
  if (!store) throw new Error('the gateway has no response store');
  return store;
}

/** A turn with `n` input items of its own, as POST /v1/responses keeps it. */
function turn(id: string, owner: string | null, n = 1, overrides: Partial<StoredResponse> = {}): StoredResponse {
  const inputItems: ResponseItem[] = Array.from({ length: n }, (_, i) => ({
    type: 'message',
    id: `msg_${id}_${i}`,
    role: 'user',
    content: [{ type: 'input_text', text: `item ${i} of ${id}` }],
  }));
  return storedResponse({ id, owner, createdAt: Date.now(), inputItems, ...overrides });
}

async function get(
  gw: InProcessGateway,
  urlPath: string,
  key?: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${gw.url}${urlPath}`, {
    ...init,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

const post = (gw: InProcessGateway, urlPath: string, body: unknown, key?: string) => get(gw, urlPath, key, { method: 'POST', body: JSON.stringify(body) });

describe('response state with the auth plugin on (SQLite, the default store)', () => {
  let gw: InProcessGateway;
  const a1 = turn('resp_a1', 'team-a', 5, { instructions: 'Be brief.' });
  beforeAll(async () => {
    gw = await startInProcess({ config: baseConfig(authPlugin) });
    await storeOf(gw).put(a1);
    await storeOf(gw).put(turn('resp_a2', 'team-a', 1, { previousResponseId: 'resp_a1' }));
    await storeOf(gw).put(turn('resp_b1', 'team-b', 2));
  });
  afterAll(() => gw.stop());

  test('the store is a SQLite file beside the config, with no setup', () => {
    expect(fs.existsSync(path.join(gw.dir, 'data', 'responses.db'))).toBe(true);
  });

  test('GET /v1/responses/{id} answers the stored Response object to the key that made it, with and without /v1', async () => {
    const own = await get(gw, '/v1/responses/resp_a1', TEAM_A);
    expect(own.status).toBe(200);
    expect(own.body).toEqual(a1.response);
    expect((await get(gw, '/responses/resp_a1', TEAM_A)).body.id).toBe('resp_a1');
  });

  test("another key's response is OpenAI's 404, exactly as an id that never existed", async () => {
    const other = await get(gw, '/v1/responses/resp_b1', TEAM_A);
    const missing = await get(gw, '/v1/responses/resp_nope', TEAM_A);
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ error: { message: "Response with id 'resp_b1' not found.", type: 'invalid_request_error', param: null, code: null } });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { message: "Response with id 'resp_nope' not found.", type: 'invalid_request_error', param: null, code: null } });
    expect((await get(gw, '/v1/responses/resp_b1', TEAM_B)).status).toBe(200);
  });

  test('without a key the state is refused with 401, before any lookup', async () => {
    const res = await get(gw, '/v1/responses/resp_a1');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'invalid_api_key' } });
  });

  test("input_items pages through the turn's input in OpenAI's list shape (limit, order, after)", async () => {
    const first = await get(gw, '/v1/responses/resp_a1/input_items?limit=2', TEAM_A);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      object: 'list',
      data: [expect.objectContaining({ id: 'msg_resp_a1_4' }), expect.objectContaining({ id: 'msg_resp_a1_3' })],
      first_id: 'msg_resp_a1_4',
      last_id: 'msg_resp_a1_3',
      has_more: true,
    });
    const rest = await get(gw, '/v1/responses/resp_a1/input_items?limit=10&after=msg_resp_a1_3', TEAM_A);
    expect((rest.body.data as ResponseItem[]).map((i) => i.id)).toEqual(['msg_resp_a1_2', 'msg_resp_a1_1', 'msg_resp_a1_0']);
    expect(rest.body.has_more).toBe(false);
    const asc = await get(gw, '/responses/resp_a1/input_items?order=asc&limit=1', TEAM_A);
    expect(asc.body).toMatchObject({ first_id: 'msg_resp_a1_0', last_id: 'msg_resp_a1_0', has_more: true });
    // Only this turn's items: the earlier turn's are in its own list.
    const second = await get(gw, '/v1/responses/resp_a2/input_items', TEAM_A);
    expect((second.body.data as ResponseItem[]).map((i) => i.id)).toEqual(['msg_resp_a2_0']);
    expect((await get(gw, '/v1/responses/resp_b1/input_items', TEAM_A)).status).toBe(404);
  });

  test('a malformed list query is a 400 naming the parameter', async () => {
    for (const [query, param] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['order=up', 'order'],
      ['after=msg_unknown', 'after'],
    ]) {
      const res = await get(gw, `/v1/responses/resp_a1/input_items?${query}`, TEAM_A);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { type: 'invalid_request_error', param } });
    }
  });

  test('DELETE removes a response for its owner only, and answers in OpenAI’s shape', async () => {
    await storeOf(gw).put(turn('resp_del', 'team-b'));
    const refused = await get(gw, '/v1/responses/resp_del', TEAM_A, { method: 'DELETE' });
    expect(refused.status).toBe(404);
    expect((await get(gw, '/v1/responses/resp_del', TEAM_B)).status).toBe(200);
    const deleted = await get(gw, '/v1/responses/resp_del', TEAM_B, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: 'resp_del', object: 'response', deleted: true });
    expect((await get(gw, '/v1/responses/resp_del', TEAM_B)).status).toBe(404);
    expect((await get(gw, '/responses/resp_del', TEAM_B, { method: 'DELETE' })).status).toBe(404);
  });

  test('cancel and a streamed retrieve are refused clearly: no response runs in the background', async () => {
    const cancel = await post(gw, '/v1/responses/resp_a1/cancel', {}, TEAM_A);
    expect(cancel.status).toBe(400);
    expect(cancel.body).toMatchObject({ error: { code: 'unsupported_parameter', message: expect.stringContaining('background') } });
    expect((await post(gw, '/v1/responses/resp_b1/cancel', {}, TEAM_A)).status).toBe(404);
    const streamed = await get(gw, '/v1/responses/resp_a1?stream=true', TEAM_A);
    expect(streamed.status).toBe(400);
    expect(streamed.body).toMatchObject({ error: { param: 'stream' } });
  });

  test('a method a response path does not serve is a 405 with Allow; an unknown sub-path is a 404', async () => {
    const put = await fetch(`${gw.url}/v1/responses/resp_a1`, { method: 'PUT', headers: { authorization: `Bearer ${TEAM_A}` } });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, DELETE');
    expect((await get(gw, '/v1/responses/resp_a1/whatever', TEAM_A)).status).toBe(404);
    expect((await get(gw, '/v1/responses/input_tokens', TEAM_A)).status).toBe(405);
  });

  test('input_tokens counts a request with the o200k tokenizer, its previous_response_id conversation included', async () => {
    const plain = await post(gw, '/v1/responses/input_tokens', { model: 'chat', input: 'Hello, world' }, TEAM_A);
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({ object: 'response.input_tokens', input_tokens: 3 + 4 + countTokens('Hello, world') });
    expect(plain.headers.get('x-switchyard-token-count')).toBe('estimate');
    const followUp = await post(gw, '/responses/input_tokens', { model: 'chat', input: 'Hello, world', previous_response_id: 'resp_a2' }, TEAM_A);
    // resp_a1 (5 input items and 1 output) and resp_a2 (1 and 1) come first; resp_a1's instructions do not.
    const earlier =
      [0, 1, 2, 3, 4].reduce((n, i) => n + 4 + countTokens(`item ${i} of resp_a1`), 0) + 4 + countTokens('item 0 of resp_a2') + 2 * (4 + countTokens('hi'));
    expect(followUp.body.input_tokens).toBe((plain.body.input_tokens as number) + earlier);
  });

  test("input_tokens with another key's previous_response_id is OpenAI's 400 previous_response_not_found", async () => {
    const res = await post(gw, '/v1/responses/input_tokens', { input: 'hi', previous_response_id: 'resp_b1' }, TEAM_A);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message: "Previous response with id 'resp_b1' not found.",
        type: 'invalid_request_error',
        param: 'previous_response_id',
        code: 'previous_response_not_found',
      },
    });
  });

  test('input_tokens refuses a body it cannot count, naming the field', async () => {
    expect((await post(gw, '/v1/responses/input_tokens', { input: 42 }, TEAM_A)).body).toMatchObject({ error: { param: 'input' } });
    expect((await post(gw, '/v1/responses/input_tokens', { input: 'x', conversation: 'conv_1' }, TEAM_A)).body).toMatchObject({
      error: { param: 'conversation' },
    });
    expect((await post(gw, '/v1/responses/input_tokens', [1], TEAM_A)).status).toBe(400);
  });

  test('the official openai SDK retrieves, lists input items (all pages), counts and deletes', async () => {
    const client = new OpenAI({ apiKey: TEAM_A, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const retrieved = await client.responses.retrieve('resp_a1');
    expect(retrieved.id).toBe('resp_a1');
    expect(retrieved.output_text).toBe('hi');
    const ids: string[] = [];
    for await (const item of client.responses.inputItems.list('resp_a1', { limit: 2, order: 'asc' })) ids.push(item.id!);
    expect(ids).toEqual(['msg_resp_a1_0', 'msg_resp_a1_1', 'msg_resp_a1_2', 'msg_resp_a1_3', 'msg_resp_a1_4']);
    const counted = await client.responses.inputTokens.count({ model: 'chat', input: 'Hello, world' });
    expect(counted).toEqual({ object: 'response.input_tokens', input_tokens: 3 + 4 + countTokens('Hello, world') });
    await storeOf(gw).put(turn('resp_sdk', 'team-a'));
    await client.responses.delete('resp_sdk');
    await expect(client.responses.retrieve('resp_sdk')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.retrieve('resp_b1')).rejects.toMatchObject({ status: 404 });
  });
});

describe('response state without an auth plugin', () => {
  let gw: InProcessGateway;
  beforeAll(async () => {
    gw = await startInProcess({ config: baseConfig('responses: { store: memory }') });
  });
  afterAll(() => gw.stop());

  test('every response is visible: there is no key to tell owners apart', async () => {
    await storeOf(gw).put(turn('resp_open', 'someone'));
    expect((await get(gw, '/v1/responses/resp_open')).status).toBe(200);
  });
});

describe('response state turned off', () => {
  let gw: InProcessGateway;
  beforeAll(async () => {
    gw = await startInProcess({ config: baseConfig('responses: { enabled: false }') });
  });
  afterAll(() => gw.stop());

  test('there is no store, lookups say storage is off, and previous_response_id is refused', async () => {
    expect(gw.gateway.snapshot.responseStore).toBeUndefined();
    const res = await get(gw, '/v1/responses/resp_x');
    expect(res.status).toBe(404);
    expect((res.body.error as { message: string }).message).toContain('responses.enabled is false');
    expect((await post(gw, '/v1/responses/input_tokens', { input: 'x', previous_response_id: 'resp_x' })).body).toMatchObject({
      error: { code: 'previous_response_not_found' },
    });
    expect(fs.existsSync(path.join(gw.dir, 'data'))).toBe(false);
  });
});

/** Resolves once the gateway logged `n` successful reloads in all. */
function reloads(gw: InProcessGateway, n: number): Promise<unknown> {
  return gw.waitForLog(() => gw.logRecords().filter((r) => r.message === 'config reloaded').length >= n);
}

describe('response state across a hot reload', () => {
  let gw: InProcessGateway;
  afterEach(() => gw.stop());

  test('a reload keeps the store, its responses and its connection; a new store URL starts a new store', async () => {
    gw = await startInProcess({ config: baseConfig('responses: { store: memory, retention_days: 30 }') });
    const before = storeOf(gw);
    await before.put(turn('resp_kept', null));
    gw.writeConfig(baseConfig('responses: { store: memory, retention_days: 7 }').replace('model: echo', 'model: echo-2'));
    await reloads(gw, 1);
    expect(gw.gateway.snapshot.config.models.chat.targets?.[0].model).toBe('echo-2');
    expect((await get(gw, '/v1/responses/resp_kept')).status).toBe(200);
    // The same engine underneath (nothing reopened), now with the new retention.
    const after = storeOf(gw) as ResponseStore & { backend: unknown; retentionMs: number };
    expect(after.backend).toBe((before as ResponseStore & { backend: unknown }).backend);
    expect(after.retentionMs).toBe(7 * 86_400_000);

    gw.writeConfig(baseConfig('responses: { store: "sqlite://./other.db" }'));
    await reloads(gw, 2);
    expect(storeOf(gw)).not.toBe(after);
    expect((await get(gw, '/v1/responses/resp_kept')).status).toBe(404);
  });

  test('a SQLite path that cannot be opened is a 503 response_store_unavailable, its reason in the log only', async () => {
    gw = await startInProcess({ config: baseConfig('responses: { store: memory }') });
    await storeOf(gw).put(turn('resp_still', null));
    fs.writeFileSync(path.join(gw.dir, 'blocker'), 'a file where a directory should be');
    gw.writeConfig(baseConfig('responses: { store: "sqlite://./blocker/responses.db" }'));
    // SQLite opens on first use (a gateway that never stores a response creates no file), so the failure shows then.
    await reloads(gw, 1);
    const res = await get(gw, '/v1/responses/resp_still');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: {
        code: 'response_store_unavailable',
        type: 'service_unavailable',
        param: null,
        message: 'The response store (sqlite) is unavailable; retry shortly.',
      },
    });
    const logged = await gw.waitForLog((r) => r.message === 'response store failed');
    expect(logged).toMatchObject({ store: 'sqlite', op: 'get', error: expect.stringMatching(/ENOTDIR|EEXIST|not a directory|exists/i) });
  });
});

/** Two gateways on one shared store: what one stored, the other serves and deletes. */
function describeSharedStore(service: 'postgres' | 'redis', storeUrl: () => string, cleanup: () => Promise<void>): void {
  describeWithService([service], `response state shared by two gateways (${service})`, () => {
    let first: InProcessGateway;
    let second: InProcessGateway;
    beforeAll(async () => {
      const url = storeUrl();
      const config = baseConfig(`${authPlugin}\nresponses: { store: "${url}" }`);
      first = await startInProcess({ config });
      second = await startInProcess({ config });
    });
    afterAll(async () => {
      await first.stop();
      await second.stop();
      await cleanup();
    });

    test('a response one instance stored is read, listed and deleted through the other, for its key only', async () => {
      const id = `resp_shared_${process.pid}_${Date.now()}`;
      const stored = turn(id, 'team-a', 3);
      await storeOf(first).put(stored);
      expect((await get(second, `/v1/responses/${id}`, TEAM_A)).body).toEqual(stored.response);
      expect((await get(second, `/v1/responses/${id}`, TEAM_B)).status).toBe(404);
      expect((await get(second, `/v1/responses/${id}/input_items?order=asc`, TEAM_A)).body.first_id).toBe(`msg_${id}_0`);
      const followUp = await post(second, '/v1/responses/input_tokens', { input: 'x', previous_response_id: id }, TEAM_A);
      expect(followUp.status).toBe(200);
      expect((await get(second, `/v1/responses/${id}`, TEAM_A, { method: 'DELETE' })).body).toEqual({ id, object: 'response', deleted: true });
      expect((await get(first, `/v1/responses/${id}`, TEAM_A)).status).toBe(404);
    });
  });
}

const sharedTable = scratchTable('responses_e2e');
describeSharedStore(
  'postgres',
  () => `${POSTGRES_URL}?table=${sharedTable}`,
  () => dropPostgresTable(sharedTable),
);
const sharedPrefix = `switchyard:e2e:${process.pid}:${Date.now()}:`;
describeSharedStore(
  'redis',
  () => `${REDIS_URL}?prefix=${encodeURIComponent(sharedPrefix)}`,
  async () => {},
);
