/**
 * The Responses API's stored state, on the one lifecycle: GET /v1/responses/{id} (the Response object as it was
 * sent), GET /v1/responses/{id}/input_items (OpenAI's cursor list), DELETE /v1/responses/{id}, POST
 * /v1/responses/{id}/cancel (refused: no response runs in the background), and POST /v1/responses/input_tokens
 * (an o200k count of a request, its previous_response_id conversation included). Each key sees only the responses
 * it created (responses/store/retained-store.ts); an id it may not see is OpenAI's plain 404, as if it did not exist.
 */
import type { IncomingMessage } from 'node:http';
import { errors } from '../../errors';
import { estimateResponsesInputTokens } from '../../frontdoor/responses-token-estimate';
import type { RequestContext, RequestOutcome } from '../../pipeline/types';
import { conversationBefore } from '../../responses/store/conversation';
import { responseOwner, responseStorageOn, responseStoreFor } from '../../responses/store/for-snapshot';
import type { ResponseItem, ResponseStore, StoredResponse } from '../../responses/store/types';
import { responseForClient, wantsEncryptedReasoning } from '../../responses/sealed-reasoning';
import type { ResponseObject } from '../../responses/types';
import type { RuntimeSnapshot } from '../../routing/snapshot-types';
import type { HttpResponse } from '../http-types';
import { servedHeaders, type EndpointWork } from '../lifecycle';
import { sendJson } from '../send';

/** Where a response id starts (with and without the /v1 prefix, as OpenAI answers both). */
export const RESPONSE_PATHS = ['/v1/responses/', '/responses/'] as const;

/** input_items page size: OpenAI's default and bounds. */
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

type Route = { name: 'response'; id: string } | { name: 'input_items'; id: string } | { name: 'cancel'; id: string };

function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: new URLSearchParams() } : { path: url.slice(0, q), query: new URLSearchParams(url.slice(q + 1)) };
}

/** What a path under RESPONSE_PATHS names; undefined for a shape that is not an endpoint. */
function routeOf(path: string): Route | undefined {
  const prefix = RESPONSE_PATHS.find((p) => path.startsWith(p));
  if (!prefix) return undefined;
  const parts = path.slice(prefix.length).split('/');
  if (parts.length > 2 || parts[0] === '') return undefined;
  let id: string;
  try {
    id = decodeURIComponent(parts[0]);
  } catch {
    return undefined;
  }
  if (parts.length === 1) return { name: 'response', id };
  if (parts[1] === 'input_items') return { name: 'input_items', id };
  if (parts[1] === 'cancel') return { name: 'cancel', id };
  return undefined;
}

function done(ctx: RequestContext, res: HttpResponse, status: number, body: unknown): RequestOutcome {
  sendJson(res, status, body, servedHeaders(ctx));
  return { status, completed: true, latencyMs: performance.now() - ctx.startedMono };
}

/** The stored response the request names, for its key; OpenAI's 404 otherwise. */
async function visibleResponse(
  ctx: RequestContext,
  snapshot: RuntimeSnapshot,
  req: IncomingMessage,
): Promise<{ store: ResponseStore; stored: StoredResponse }> {
  const route = routeOf(splitUrl(req.url ?? '').path)!;
  if (!responseStorageOn(snapshot)) throw errors.responseNotFound(route.id, true);
  const store = responseStoreFor(snapshot);
  const stored = await store.get(route.id, responseOwner(ctx));
  if (!stored) throw errors.responseNotFound(route.id);
  return { store, stored };
}

const retrieveWork: EndpointWork = {
  body: 'none',
  async serve(ctx, res, snapshot, req) {
    const { query } = splitUrl(req.url ?? '');
    // Replaying a stored response as events needs the event log of a background response, which is never kept.
    if (query.get('stream') === 'true') {
      throw errors.responsesFeatureUnsupported('stream=true on GET /v1/responses/{id} replays background responses, which Switchyard does not run.', 'stream');
    }
    const { stored } = await visibleResponse(ctx, snapshot, req);
    // As OpenAI's retrieve: encrypted reasoning only with `include` (`include[]=reasoning.encrypted_content`).
    const include = [...query.getAll('include'), ...query.getAll('include[]')];
    return done(ctx, res, 200, responseForClient(stored.response as ResponseObject, wantsEncryptedReasoning(include)));
  },
};

const deleteWork: EndpointWork = {
  body: 'none',
  async serve(ctx, res, snapshot, req) {
    const { store, stored } = await visibleResponse(ctx, snapshot, req);
    // Deleted by someone else meanwhile: the same 404 as if it never existed.
    if (!(await store.delete(stored.id, responseOwner(ctx)))) throw errors.responseNotFound(stored.id);
    return done(ctx, res, 200, { id: stored.id, object: 'response', deleted: true });
  },
};

const cancelWork: EndpointWork = {
  body: 'none',
  async serve(ctx, res, snapshot, req) {
    await visibleResponse(ctx, snapshot, req);
    // OpenAI's answer for a response that was not created in background mode, and every Switchyard response is one.
    throw errors.responsesFeatureUnsupported(
      'Only responses created with background: true can be cancelled, and Switchyard does not run background responses (every response is complete when it is returned).',
      null,
    );
  },
};

/** The list query of input_items: OpenAI's `limit` (1–100, default 20), `order` (default desc: newest first) and `after`. */
export interface ListQuery {
  limit: number;
  order: 'asc' | 'desc';
  after: string | null;
}

/** @example listQueryOf(new URLSearchParams('limit=2&order=asc')) // { limit: 2, order: 'asc', after: null } */
export function listQueryOf(query: URLSearchParams): ListQuery {
  const limitText = query.get('limit');
  const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw errors.badQueryParameter('limit', `expected an integer from 1 to ${MAX_LIMIT}, got '${String(limitText).slice(0, 40)}'.`);
  }
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw errors.badQueryParameter('order', `expected 'asc' or 'desc', got '${order.slice(0, 40)}'.`);
  return { limit, order, after: query.get('after') };
}

/** The page of `items` a list query asks for, in OpenAI's list shape. @example inputItemsPage(stored.inputItems, listQueryOf(query)) */
export function inputItemsPage(
  items: readonly ResponseItem[],
  q: ListQuery,
): { object: 'list'; data: ResponseItem[]; first_id: string | null; last_id: string | null; has_more: boolean } {
  const ordered = q.order === 'asc' ? [...items] : [...items].reverse();
  let start = 0;
  if (q.after !== null) {
    const at = ordered.findIndex((item) => item.id === q.after);
    if (at < 0) throw errors.badQueryParameter('after', `no input item with id '${q.after.slice(0, 200)}' in this response.`);
    start = at + 1;
  }
  const data = ordered.slice(start, start + q.limit);
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: start + q.limit < ordered.length };
}

const inputItemsWork: EndpointWork = {
  body: 'none',
  async serve(ctx, res, snapshot, req) {
    // Checked before the lookup, so a malformed query is a 400 whatever the id.
    const q = listQueryOf(splitUrl(req.url ?? '').query);
    const { stored } = await visibleResponse(ctx, snapshot, req);
    return done(ctx, res, 200, inputItemsPage(stored.inputItems, q));
  },
};

/** The body of POST /v1/responses/input_tokens, checked as far as counting needs. */
function validateInputTokensBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.bodyNotObject();
  const b = body as Record<string, unknown>;
  const kind = (field: string, ok: boolean, expected: string) => {
    if (!ok) throw errors.badRequest(`Invalid type for '${field}': expected ${expected}.`, field, 'invalid_type');
  };
  kind('model', b.model === undefined || b.model === null || typeof b.model === 'string', 'a string');
  kind('input', b.input === undefined || b.input === null || typeof b.input === 'string' || Array.isArray(b.input), 'a string or an array of input items');
  kind('instructions', b.instructions === undefined || b.instructions === null || typeof b.instructions === 'string', 'a string');
  kind('tools', b.tools === undefined || b.tools === null || Array.isArray(b.tools), 'an array');
  kind(
    'previous_response_id',
    b.previous_response_id === undefined || b.previous_response_id === null || typeof b.previous_response_id === 'string',
    'a string',
  );
  if (b.conversation !== undefined && b.conversation !== null) {
    throw errors.responsesFeatureUnsupported('The Conversations API (conversation) is not served by Switchyard; use previous_response_id.', 'conversation');
  }
  return b;
}

/**
 * POST /v1/responses/input_tokens: `{ object: "response.input_tokens", input_tokens }`, counted with o200k (see
 * frontdoor/responses-token-estimate.ts; `x-switchyard-token-count: estimate`). No model is called.
 *
 * @example add('POST', '/v1/responses/input_tokens', 'input_tokens', inputTokensWork)
 */
export const inputTokensWork: EndpointWork = {
  body: 'json',
  parse: validateInputTokensBody,
  async serve(ctx, res, snapshot) {
    const body = ctx.body as Record<string, unknown>;
    let earlier: ResponseItem[] = [];
    if (typeof body.previous_response_id === 'string') {
      earlier = await conversationBefore(responseStoreFor(snapshot), body.previous_response_id, responseOwner(ctx));
    }
    ctx.responseHeaders['x-switchyard-token-count'] = 'estimate';
    return done(ctx, res, 200, { object: 'response.input_tokens', input_tokens: estimateResponsesInputTokens(body, earlier) });
  },
};

function wrongMethod(allow: string): EndpointWork {
  return { body: 'none', plugins: false, serve: () => Promise.reject(errors.methodNotAllowed(allow)) };
}

const notFound: EndpointWork = { body: 'none', plugins: false, serve: () => Promise.reject(errors.notFound()) };

const byRoute = {
  response: { methods: { GET: retrieveWork, HEAD: retrieveWork, DELETE: deleteWork } as Record<string, EndpointWork>, wrong: wrongMethod('GET, HEAD, DELETE') },
  input_items: { methods: { GET: inputItemsWork, HEAD: inputItemsWork } as Record<string, EndpointWork>, wrong: wrongMethod('GET, HEAD') },
  cancel: { methods: { POST: cancelWork } as Record<string, EndpointWork>, wrong: wrongMethod('POST') },
};

/**
 * The work for a request under RESPONSE_PATHS (router.ts calls it after its exact-path table, where
 * POST /v1/responses and /v1/responses/input_tokens are). An unknown shape is the gateway's 404.
 *
 * @example if (RESPONSE_PATHS.some((p) => path.startsWith(p))) return runLifecycle(req, res, handle, 'response_state', responseStateWork(req.method, path));
 */
export function responseStateWork(method: string | undefined, path: string): EndpointWork {
  const route = routeOf(path);
  if (!route) return notFound;
  const at = byRoute[route.name];
  return Object.hasOwn(at.methods, method ?? '') ? at.methods[method!] : at.wrong;
}
