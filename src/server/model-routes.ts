/**
 * The model endpoints (chat completions, embeddings, Anthropic messages) served straight from Node's HTTP
 * server, in front of the express app, which keeps every other route (health, models, metrics, passthrough,
 * admin, 404s).
 *
 * Why not express for these: express swaps the prototypes of every request and response and runs a middleware
 * chain, which on the 2-core reference machine cost more CPU per request than the whole rest of a proxied call
 * (an express + express.json echo: ~190–290 µs CPU per request; the same echo on plain Node: ~60–90 µs). The
 * body rules are the same as express.json's, with the gateway's own errors: 415 not JSON, 413 over the limit,
 * 400 invalid UTF-8, invalid JSON, or nesting deeper than MAX_JSON_DEPTH.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { asGatewayError, errors, GatewayError } from '../errors';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './body-guards';
import type { HttpResponse, ParsedRequest } from './http-types';
import { runLifecycle } from './lifecycle';
import { chatWork } from './routes/chat';
import { embeddingsWork } from './routes/embeddings';
import { messagesRoute, sendAnthropicError } from './routes/messages';
import type { RuntimeHandle } from './runtime-handle';
import { sendError } from './send';

interface ModelRoute {
  serve(req: ParsedRequest, res: HttpResponse): Promise<void>;
  /** How this endpoint words an error (Anthropic's shape for /v1/messages). */
  fail(res: HttpResponse, err: GatewayError): void;
}

function routeTable(handle: RuntimeHandle): Record<string, ModelRoute> {
  const openAIError = (res: HttpResponse, err: GatewayError) => void sendError(res, err);
  return {
    '/v1/chat/completions': { serve: (req, res) => runLifecycle(req, res, handle, 'chat', chatWork), fail: openAIError },
    '/v1/embeddings': { serve: (req, res) => runLifecycle(req, res, handle, 'embeddings', embeddingsWork), fail: openAIError },
    '/v1/messages': { serve: messagesRoute(handle), fail: (res, err) => sendAnthropicError(res, err, {}) },
  };
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/** The 503 every route gives while the daemon drains on SIGTERM. */
export function drainingError(): GatewayError {
  return new GatewayError({ status: 503, code: 'shutting_down', message: 'The gateway is shutting down; retry on another instance.' });
}

type Inflate = (body: Buffer, limit: number) => Buffer;

/** Inflates a compressed body, refusing output past the limit (a small gzip can expand to gigabytes). */
function inflater(fn: (buf: Buffer, opts: zlib.ZlibOptions) => Buffer): Inflate {
  return (body, limit) => {
    try {
      return fn(body, { maxOutputLength: limit });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw errors.bodyTooLarge(limit);
      throw errors.badRequest('The request body could not be decompressed.', null, 'invalid_encoding');
    }
  };
}

const INFLATERS: Record<string, Inflate> = {
  identity: (body) => body,
  gzip: inflater(zlib.gunzipSync),
  deflate: inflater(zlib.inflateSync),
  br: (body, limit) => {
    try {
      return zlib.brotliDecompressSync(body, { maxOutputLength: limit });
    } catch {
      throw errors.badRequest('The request body could not be decompressed.', null, 'invalid_encoding');
    }
  },
};

/** How a request's headers say the body is to be read, or the GatewayError that refuses it before reading. */
function bodyDecoding(req: IncomingMessage): Inflate {
  const type = req.headers['content-type'] ?? '';
  if (!JSON_TYPE.test(type)) throw new GatewayError({ status: 415, type: 'invalid_request_error', code: 'unsupported_media_type', message: 'Send the body as JSON with Content-Type: application/json.' });
  const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') throw errors.badRequest(`Unsupported body encoding "${charset}"; send UTF-8.`);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const inflate = INFLATERS[encoding];
  if (!inflate) throw new GatewayError({ status: 415, type: 'invalid_request_error', code: 'unsupported_media_type', message: `Unsupported Content-Encoding "${encoding}".` });
  return inflate;
}

/** Checks and parses a whole (inflated) body; throws the GatewayError the client should see. */
function parseJson(raw: Buffer): unknown {
  if (!isUtf8(raw)) throw errors.badRequest('The request body is not valid UTF-8.', null, 'invalid_utf8');
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw errors.badRequest('The request body is not valid JSON.', null, 'invalid_json');
  }
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) throw errors.badRequest(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, null, 'json_too_deep');
  return body;
}

/**
 * Reads the whole body, refusing more than `limit` bytes as soon as it is exceeded, then calls `callback`
 * once with the parsed JSON or the error. Callbacks rather than promises: the body is parsed inside the event
 * that delivered its last byte, which saves the promise hops between the last byte and the routing on every
 * request.
 */
function readJson(req: IncomingMessage, limit: number, callback: (err: GatewayError | undefined, body?: unknown) => void): void {
  let called = false;
  const done = (err: GatewayError | undefined, body?: unknown) => {
    if (called) return;
    called = true;
    callback(err, body);
  };
  let inflate: Inflate;
  const declared = Number(req.headers['content-length'] ?? NaN);
  try {
    inflate = bodyDecoding(req);
    if (declared > limit) throw errors.bodyTooLarge(limit);
  } catch (err) {
    // Read and discard what is still arriving, so a client that is still sending gets to read the answer
    // instead of a reset. Request timeouts bound the wait.
    req.resume();
    return done(asGatewayError(err));
  }
  const parts: Buffer[] = [];
  let size = 0;
  const onData = (piece: Buffer) => {
    size += piece.length;
    if (size > limit) {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.resume();
      done(errors.bodyTooLarge(limit));
      return;
    }
    parts.push(piece);
    // All of a Content-Length body is here (the parser never delivers more than the length). Finishing now
    // rather than at 'end', which follows a turn of the event loop's queue later, takes that wait off every
    // request. A chunked body has no length and ends at 'end'.
    if (size === declared) {
      req.removeListener('end', onEnd);
      onEnd();
    }
  };
  const onEnd = () => {
    let body: unknown;
    try {
      body = parseJson(inflate(parts.length === 1 ? parts[0] : Buffer.concat(parts, size), limit));
    } catch (err) {
      return done(asGatewayError(err));
    }
    done(undefined, body);
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.once('error', () => done(errors.badRequest('Unreadable request body.')));
}

/**
 * Returns a handler that serves the model endpoints and returns false for anything else (for express).
 *
 * @example
 * const serveModel = createModelRoutes(handle, { maxBodyBytes });
 * http.createServer((req, res) => serveModel(req, res) || app(req, res));
 */
export function createModelRoutes(handle: RuntimeHandle, opts: { maxBodyBytes: number }) {
  const routes = routeTable(handle);
  return (req: ParsedRequest, res: HttpResponse): boolean => {
    if (req.method !== 'POST') return false;
    const q = req.url?.indexOf('?') ?? -1;
    const route = routes[q < 0 ? (req.url ?? '') : req.url!.slice(0, q)];
    if (!route) return false;
    if (handle.draining) {
      res.setHeader('connection', 'close');
      route.fail(res, drainingError());
      return true;
    }
    readJson(req, opts.maxBodyBytes, (err, body) => {
      if (err) return route.fail(res, err);
      req.body = body;
      route.serve(req, res).catch((e: unknown) => handle.log.error('model route failed', { error: (e as Error)?.stack ?? String(e) }));
    });
    return true;
  };
}
