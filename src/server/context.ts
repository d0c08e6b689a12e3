/**
 * Builds the RequestContext for one HTTP request: its id (echoed from x-request-id when the client sent one),
 * the abort signal tied to the client connection, and the caller's metadata header.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HttpResponse } from './http-types';
import { errors } from '../errors';
import type { Logger } from '../observability/logger';
import { CLIENT_ABORT } from '../pipeline/client-abort';
import { AbortFlag, type AbortSource } from '../upstream/abort-flag';
import { PluginRequestState } from '../pipeline/request-state';
import type { Endpoint, RequestContext } from '../pipeline/types';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function parseMetadata(header: string | string[] | undefined): Record<string, string> {
  if (header === undefined) return {};
  const text = Array.isArray(header) ? header[0] : header;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw errors.badRequest('The x-switchyard-metadata header must be a JSON object.', 'x-switchyard-metadata');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw errors.badRequest('The x-switchyard-metadata header must be a JSON object.', 'x-switchyard-metadata');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) out[k] = String(v);
  return out;
}

/** The request id for a request: the client's x-request-id if it is sane, else a fresh one. */
export function requestIdFor(req: IncomingMessage): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
}

/**
 * One request's context. A class rather than an object literal so every context has the same shape from the
 * start (fields that plugins fill in later are declared up front): the context is read on every step of a
 * request, and V8 keeps such reads fast only for objects of one stable shape.
 */
class GatewayContext extends PluginRequestState implements RequestContext {
  readonly [CLIENT_ABORT] = new AbortFlag();
  readonly startedAt = Date.now();
  readonly startedMono = performance.now();
  readonly headers: RequestContext['headers'];
  // `{}` until the body is read, and for endpoints without one (plugins may still write to it).
  body: RequestContext['body'] = {};
  // Set with the body (setBody), after onHeaders: read-only to plugins, as the RequestContext type says.
  requestedAlias = '';
  stream = false;
  caller: RequestContext['caller'] = undefined;
  metadata: Record<string, string> = {};
  responseHeaders: Record<string, string>;
  attempts: RequestContext['attempts'] = [];
  servedBy: RequestContext['servedBy'] = undefined;
  usage: RequestContext['usage'] = undefined;

  constructor(
    req: IncomingMessage,
    readonly endpoint: Endpoint,
    readonly log: Logger,
    readonly id: string,
  ) {
    super();
    this.headers = req.headers;
    this.responseHeaders = { 'x-request-id': id };
  }

  /** Reads the x-switchyard-metadata header; throws its 400 once the context exists, so that answer is logged too. */
  readMetadata(): void {
    const header = this.headers['x-switchyard-metadata'];
    if (header !== undefined) this.metadata = parseMetadata(header);
  }

  /** Takes the request body the endpoint works with, once read (and translated, on /v1/messages). */
  setBody(value: unknown): void {
    const body = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
    this.body = body;
    this.requestedAlias = typeof body.model === 'string' ? body.model : '';
    this.stream = (this.endpoint === 'chat' || this.endpoint === 'messages' || this.endpoint === 'completions') && body.stream === true;
  }

  /** Made on first use: the gateway's own code listens through clientAbortOf, plugins rarely ask. */
  get signal(): AbortSignal {
    return this[CLIENT_ABORT].signal;
  }

  get clientAbort(): AbortSource {
    return this[CLIENT_ABORT];
  }
}

/** The context the lifecycle works with: a RequestContext plus the steps only the lifecycle takes. */
export type LifecycleContext = GatewayContext;

/**
 * A request's context, made before its body is read (ctx.body is `{}` until `setBody`).
 *
 * @example const ctx = createContext(req, res, 'chat', log, requestIdFor(req));
 */
export function createContext(req: IncomingMessage, res: HttpResponse, endpoint: Endpoint, log: Logger, id: string): LifecycleContext {
  const ctx = new GatewayContext(req, endpoint, log, id);
  const gone = ctx[CLIENT_ABORT];
  res.on('close', () => {
    if (!res.writableFinished) gone.abort(new Error('client disconnected'));
  });
  return ctx;
}
