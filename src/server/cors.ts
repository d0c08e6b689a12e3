/**
 * CORS for browser apps (`server.cors`): which page origins may call the gateway, the headers every answer to
 * such an origin carries, and the answer to a preflight. Without `server.cors` nothing here runs and no answer
 * carries a CORS header, so a page elsewhere cannot read the gateway's answers.
 *
 * The key travels in `Authorization` or `x-api-key`, not in cookies, so no `Allow-Credentials` is needed, and
 * `Expose-Headers: *` (which only counts without credentials) lets the page read `x-request-id`, the
 * `x-switchyard-*` headers and the rate-limit headers.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { CorsConfig } from '../config/types';

const ALLOWED_METHODS = 'GET, POST, DELETE, OPTIONS';
/** What a preflight may ask for: header names (tokens) separated by commas. Anything else is not echoed. */
const HEADER_NAME_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

/** The `Access-Control-Allow-Origin` value for `origin`, or undefined when it may not call the gateway. */
function allowedOrigin(origin: string, cors: CorsConfig): string | undefined {
  if (cors.allow_origins.includes('*')) return '*';
  return cors.allow_origins.includes(origin) ? origin : undefined;
}

/**
 * Adds the CORS headers an answer to this request carries (none when the origin is not allowed).
 *
 * @example addCorsHeaders(ctx.responseHeaders, req.headers, { allow_origins: ['https://app.example'], max_age_s: 600 })
 */
export function addCorsHeaders(into: Record<string, string>, headers: IncomingHttpHeaders, cors: CorsConfig): void {
  const origin = headers.origin;
  if (origin === undefined) return;
  const allowed = allowedOrigin(origin, cors);
  if (allowed === undefined) return;
  into['access-control-allow-origin'] = allowed;
  into['access-control-expose-headers'] = '*';
  if (allowed !== '*') into.vary = 'Origin';
}

/** True for a CORS preflight: an OPTIONS request that names the method it wants to send. */
export function isPreflight(method: string | undefined, headers: IncomingHttpHeaders): boolean {
  return method === 'OPTIONS' && headers['access-control-request-method'] !== undefined;
}

/**
 * The headers of the answer to a preflight from an allowed origin (the request's CORS headers are already in
 * `into`): the methods, the headers it asked for, and how long the browser may keep the answer.
 */
export function addPreflightHeaders(into: Record<string, string>, headers: IncomingHttpHeaders, cors: CorsConfig): void {
  if (into['access-control-allow-origin'] === undefined) return;
  into['access-control-allow-methods'] = ALLOWED_METHODS;
  const asked = headers['access-control-request-headers'];
  if (asked !== undefined && HEADER_NAME_LIST.test(asked.trim())) into['access-control-allow-headers'] = asked.trim();
  into['access-control-max-age'] = String(cors.max_age_s);
}
