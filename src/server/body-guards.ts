/**
 * Guards on parsed JSON bodies that the parser itself does not enforce: valid UTF-8 (a replacement character
 * silently changing a prompt is worse than a clear 400) and a nesting limit (deep nesting would overflow the
 * stack later, when the body is serialised for the upstream).
 */
import { isUtf8 } from 'node:buffer';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { errors } from '../errors';
import { sendError } from './send';

/** Nesting deeper than any real request (tool schemas included) needs, far below what overflows the stack. */
export const MAX_JSON_DEPTH = 128;

/** Thrown from the body parser's `verify`; app.ts turns it into a 400. */
export class InvalidUtf8Error extends Error {
  readonly invalidUtf8 = true;
  constructor() {
    super('The request body is not valid UTF-8.');
  }
}

/**
 * For express.json's `verify` option: rejects a UTF-8 body with invalid byte sequences.
 *
 * @example express.json({ verify: verifyUtf8 })
 */
export function verifyUtf8(_req: unknown, _res: unknown, raw: Buffer, encoding: string): void {
  if (encoding.toLowerCase().replace('_', '-') === 'utf-8' && !isUtf8(raw)) throw new InvalidUtf8Error();
}

/**
 * True when `value` nests deeper than `max` arrays/objects. Recursive but bounded: it never descends past
 * `max` levels, so it cannot overflow the stack, and it allocates nothing (it runs on every request body).
 */
export function nestsDeeperThan(value: unknown, max: number, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (depth >= max) return true;
  if (Array.isArray(value)) {
    for (const child of value) if (nestsDeeperThan(child, max, depth + 1)) return true;
  } else {
    const obj = value as Record<string, unknown>;
    for (const key in obj) if (nestsDeeperThan(obj[key], max, depth + 1)) return true;
  }
  return false;
}

/**
 * Middleware after express.json: 400 for bodies nested deeper than MAX_JSON_DEPTH.
 *
 * @example app.post('/v1/chat/completions', express.json(), limitJsonDepth, handler)
 */
export function limitJsonDepth(req: Request, res: Response, next: NextFunction): void {
  if (nestsDeeperThan(req.body, MAX_JSON_DEPTH)) {
    return void sendError(res, errors.badRequest(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, null, 'json_too_deep'));
  }
  next();
}

/**
 * The JSON body parser of the model endpoints: size limit, UTF-8 check, then the depth check. Any content type
 * is parsed as JSON (routes that care check Content-Type first).
 *
 * @example app.post('/v1/chat/completions', parseJsonBody(32 << 20), handler)
 */
export function parseJsonBody(maxBodyBytes: number): RequestHandler {
  const parse = express.json({ limit: maxBodyBytes, strict: false, type: () => true, verify: verifyUtf8 });
  return (req, res, next) => parse(req, res, (err?: unknown) => (err ? next(err) : limitJsonDepth(req, res, next)));
}
