/**
 * The client's per-request `fallbacks` (a gateway-only body field, stripped before upstream, on chat and
 * embeddings alike): checked to name aliases the caller may use, so a request cannot reach an alias its key
 * could not ask for directly.
 */
import type { RuntimeSnapshot } from './snapshot-types';
import { aliasNamed } from './wildcard-aliases';
import { errors } from '../errors';
import { modelAllowed } from '../pipeline/model-patterns';
import type { Caller } from '../pipeline/types';

/**
 * The aliases from `body.fallbacks`, or undefined when the request sent none.
 *
 * @example requestFallbacks({ model: 'chat', fallbacks: ['chat-backup'] }, snapshot, ctx.caller) // ['chat-backup']
 */
export function requestFallbacks(body: object, snapshot: RuntimeSnapshot, caller?: Caller): string[] | undefined {
  const sent = (body as { fallbacks?: unknown }).fallbacks;
  if (sent === undefined) return undefined;
  if (!Array.isArray(sent) || sent.some((f) => typeof f !== 'string')) throw errors.badRequest('"fallbacks" must be an array of model names.', 'fallbacks');
  for (const name of sent as string[]) {
    if (!aliasNamed(snapshot, name))
      throw errors.badRequest(`"fallbacks" names the model "${name}", which does not exist on this gateway.`, 'fallbacks', 'model_not_found');
    if (caller && !modelAllowed(caller.models, name)) throw errors.fallbackNotAllowed(name);
  }
  return sent as string[];
}

/** Gateway-only request fields, removed before anything goes upstream. */
const GATEWAY_FIELDS = ['fallbacks'] as const;

/**
 * The body without the gateway-only fields: the same object when it has none (the common case), else a copy.
 *
 * @example withoutGatewayFields({ model: 'chat', fallbacks: ['b'], messages }) // { model: 'chat', messages }
 */
export function withoutGatewayFields<B extends object>(body: B): B {
  if (!GATEWAY_FIELDS.some((f) => f in body)) return body;
  const copy = { ...body } as Record<string, unknown>;
  for (const f of GATEWAY_FIELDS) delete copy[f];
  return copy as B;
}
