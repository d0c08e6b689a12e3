/**
 * The one request-body reader of the HTTP layer, for every endpoint that declares `body: 'json'`: the
 * Content-Type, charset and Content-Encoding checks (before a byte is read), the size limit (while reading, and
 * again on the decoded bytes), UTF-8, a linear nesting pre-scan, then JSON.parse. Its answers: 415 not JSON or an
 * unknown encoding, 413 over the limit (compressed or not) or holding more than server.max_json_nodes objects,
 * arrays and object keys, 400 invalid UTF-8, invalid JSON, or nesting deeper than MAX_JSON_DEPTH.
 *
 * Why a byte pre-scan before JSON.parse: parsing a 10 MB body nested 5 million deep took 2.5 s of one core, and
 * a 30 MB body of a million tiny messages about 550 ms, since the parser allocates an object per container and a
 * property per key (one object with a million keys is slower still). Counting brackets and colons (outside
 * strings) costs about as much as reading the bytes, so such a body is refused before the parser sees it, and the
 * parsed body needs no second walk. What is left unbounded, scalars in arrays, parses at about 12 ms/MB at worst.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { asGatewayError, errors, type GatewayError } from '../errors';

/** Nesting deeper than any real request (tool schemas included) needs, far below what overflows the stack. */
export const MAX_JSON_DEPTH = 128;

/**
 * The default of server.max_json_nodes: objects, arrays and object keys in one body. The largest real requests
 * hold a few tens of thousands (2,048 token arrays for embeddings; a long chat history of content parts with a
 * hundred tool schemas is about 20,000), and 100,000 tiny objects parse in about 20 ms.
 */
export const DEFAULT_MAX_JSON_NODES = 100_000;

/** What the reader refuses: the byte limit (compressed and decoded) and the node limit of the JSON. */
export interface BodyLimits {
  maxBytes: number;
  maxJsonNodes: number;
}

/** Where a read body goes: called exactly once, with the error to answer or the parsed JSON. */
export interface BodySink {
  bodyRead(err: GatewayError | undefined, body?: unknown): void;
}

type Inflate = (body: Buffer, limit: number) => Buffer;

/** Inflates a compressed body, refusing output past the limit (a small gzip or brotli can expand to gigabytes). */
function inflater(fn: (buf: Buffer, opts: zlib.ZlibOptions | zlib.BrotliOptions) => Buffer): Inflate {
  return (body, limit) => {
    try {
      return fn(body, { maxOutputLength: limit });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw errors.bodyTooLarge(limit);
      throw errors.badRequest('The request body could not be decompressed.', null, 'invalid_encoding');
    }
  };
}

// A Map, not an object literal: a header value such as "__proto__" or "constructor" must find nothing.
const INFLATERS = new Map<string, Inflate>([
  ['identity', (body) => body],
  ['gzip', inflater(zlib.gunzipSync)],
  ['x-gzip', inflater(zlib.gunzipSync)],
  ['deflate', inflater(zlib.inflateSync)],
  ['br', inflater(zlib.brotliDecompressSync)],
]);

const JSON_TYPE = /^application\/json\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/** How a request's headers say the body is to be decoded, or the GatewayError that refuses it before reading. */
function bodyDecoding(req: IncomingMessage): Inflate {
  const type = req.headers['content-type'] ?? '';
  if (!JSON_TYPE.test(type)) throw errors.unsupportedMediaType();
  const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') throw errors.badRequest(`Unsupported body encoding "${charset}"; send UTF-8.`);
  const encoding = req.headers['content-encoding'];
  if (encoding === undefined) return INFLATERS.get('identity')!;
  const inflate = INFLATERS.get(encoding.trim().toLowerCase());
  if (!inflate) throw errors.unsupportedEncoding(encoding);
  return inflate;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;

/**
 * Which limit the JSON text in `bytes` passes first, if any: 'depth' when it opens more than `maxDepth`
 * arrays/objects at once, 'nodes' when it holds more than `maxNodes` arrays, objects and object keys in all (a
 * colon outside strings is a key). One pass over the bytes, jumping over strings with Buffer.indexOf (native, so
 * a long prompt costs about as much as reading it), no allocation. It does not validate: JSON.parse does that
 * afterwards. For valid JSON the depth and the count it finds are exactly the parsed value's.
 *
 * @example jsonLimitPassed(Buffer.from('[[[]]]'), 2, 100) // 'depth'
 * @example jsonLimitPassed(Buffer.from('[{"a":1},{"b":2}]'), 8, 4) // 'nodes' (3 containers, 2 keys)
 */
export function jsonLimitPassed(bytes: Buffer, maxDepth: number, maxNodes: number): 'depth' | 'nodes' | undefined {
  let depth = 0;
  let nodes = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      i = closingQuote(bytes, i);
      if (i < 0) return undefined; // an unterminated string: JSON.parse refuses it
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return 'depth';
      if (++nodes > maxNodes) return 'nodes';
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (c === COLON) {
      if (++nodes > maxNodes) return 'nodes';
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opened at `open` (one preceded by an even run of backslashes), or -1. */
function closingQuote(bytes: Buffer, open: number): number {
  // Most strings in a request are short keys and values: a plain loop finds their end sooner than a native
  // call would. Longer ones (prompts) are left to indexOf.
  const near = Math.min(bytes.length, open + 32);
  for (let i = open + 1; i < near; i++) {
    const c = bytes[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH) return closingQuoteFrom(bytes, i + 1);
  }
  return closingQuoteFrom(bytes, near - 1);
}

function closingQuoteFrom(bytes: Buffer, from: number): number {
  let at = from;
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1);
    if (at < 0) return -1;
    let backslashes = 0;
    for (let k = at - 1; bytes[k] === BACKSLASH; k--) backslashes++;
    if ((backslashes & 1) === 0) return at;
  }
}

/**
 * Checks and parses a whole decoded body; throws the GatewayError the client should see.
 *
 * @example parseJsonBytes(Buffer.from('{"model":"chat"}')) // { model: 'chat' }
 */
export function parseJsonBytes(raw: Buffer, maxJsonNodes = DEFAULT_MAX_JSON_NODES): unknown {
  if (!isUtf8(raw)) throw errors.badRequest('The request body is not valid UTF-8.', null, 'invalid_utf8');
  const passed = jsonLimitPassed(raw, MAX_JSON_DEPTH, maxJsonNodes);
  if (passed === 'depth') throw errors.badRequest(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, null, 'json_too_deep');
  if (passed === 'nodes') throw errors.jsonTooManyNodes(maxJsonNodes);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw errors.badRequest('The request body is not valid JSON.', null, 'invalid_json');
  }
}

/**
 * Reads the whole body, refusing more than `limits.maxBytes` as soon as it is exceeded, then calls `sink.bodyRead`
 * once with the parsed JSON or the error. A callback rather than a promise: the body is parsed inside the event
 * that delivered its last byte, which saves the promise hops between the last byte and the routing on every
 * request. On an error the rest of the body is read and discarded (never buffered or parsed), so a client that
 * is still sending gets to read the answer instead of a reset; the server's request timeout bounds the wait.
 *
 * @example readJsonBody(req, { maxBytes: 32 << 20, maxJsonNodes: 100_000 }, { bodyRead: (err, body) => … });
 */
export function readJsonBody(req: IncomingMessage, limits: BodyLimits, sink: BodySink): void {
  const limit = limits.maxBytes;
  let called = false;
  const done = (err: GatewayError | undefined, body?: unknown) => {
    if (called) return;
    called = true;
    if (err) req.resume();
    sink.bodyRead(err, body);
  };
  let inflate: Inflate;
  const declared = Number(req.headers['content-length'] ?? NaN);
  try {
    inflate = bodyDecoding(req);
    if (declared > limit) throw errors.bodyTooLarge(limit);
  } catch (err) {
    return done(asGatewayError(err));
  }
  const parts: Buffer[] = [];
  let size = 0;
  const onData = (piece: Buffer) => {
    size += piece.length;
    if (size > limit) {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
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
      body = parseJsonBytes(inflate(parts.length === 1 ? parts[0] : Buffer.concat(parts, size), limit), limits.maxJsonNodes);
    } catch (err) {
      return done(asGatewayError(err));
    }
    done(undefined, body);
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.once('error', () => done(errors.badRequest('Unreadable request body.')));
}
