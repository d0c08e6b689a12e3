/**
 * Builds the RequestContext for one HTTP request: its id (echoed from x-request-id when the client sent one),
 * the abort signal tied to the client connection, and the caller's metadata header.
 */
import { randomUUID } from 'node:crypto';
import type { ParsedRequest, HttpResponse } from './http-types';
import { errors } from '../errors';
import type { Logger } from '../observability/logger';
import { CLIENT_ABORT, ClientAbort } from '../pipeline/client-abort';
import type { Endpoint, RequestContext } from '../pipeline/types';

const REQUEST_ID = /^[A-Za-z0-9._:\-]{1,128}$/;

function parseMetadata(header: string | string[] | undefined): Record<string, string> {
  if (header === undefined) return {};
  const text = Array.isArray(header) ? header[0] : header;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw errors.badRequest('The x-switchyard-metadata header must be a JSON object.', 'x-switchyard-metadata');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw errors.badRequest('The x-switchyard-metadata header must be a JSON object.', 'x-switchyard-metadata');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) out[k] = String(v);
  return out;
}

/** The request id for a request: the client's x-request-id if it is sane, else a fresh one. */
export function requestIdFor(req: ParsedRequest): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
}

/**
 * @example const ctx = createContext(req, res, 'chat', log);
 */
export function createContext(req: ParsedRequest, res: HttpResponse, endpoint: Endpoint, log: Logger, id: string): RequestContext {
  const gone = new ClientAbort();
  res.on('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
  const ctx: RequestContext & { [CLIENT_ABORT]: ClientAbort } = {
    [CLIENT_ABORT]: gone,
    id,
    endpoint,
    startedAt: Date.now(),
    startedMono: performance.now(),
    headers: req.headers,
    // Made on first use: the gateway's own code listens through clientAbortOf, plugins rarely ask.
    get signal() {
      return gone.signal;
    },
    log,
    body,
    requestedAlias: typeof body.model === 'string' ? body.model : '',
    stream: (endpoint === 'chat' || endpoint === 'messages') && body.stream === true,
    metadata: parseMetadata(req.headers['x-switchyard-metadata']),
    responseHeaders: { 'x-request-id': id },
    attempts: [],
  };
  return ctx;
}
