/**
 * Writing JSON answers and OpenAI-shaped errors, with the gateway's headers, in one place.
 */
import type { HttpResponse } from './http-types';
import { asGatewayError, toOpenAIErrorBody, type GatewayError } from '../errors';

/** @example sendJson(res, 200, completion, ctx.responseHeaders) */
export function sendJson(res: HttpResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/** Like sendJson, for a body already serialised. @example sendJsonText(res, 200, '{"ok":true}') */
export function sendJsonText(res: HttpResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** @example sendError(res, errors.unknownAlias('x'), ctx.responseHeaders) */
export function sendError(res: HttpResponse, err: unknown, headers: Record<string, string> = {}): GatewayError {
  const e = asGatewayError(err);
  sendJson(res, e.status, toOpenAIErrorBody(e), { ...headers, ...e.headers });
  return e;
}
