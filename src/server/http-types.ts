/**
 * The request and response types the request lifecycle works with: Node's own, so the model endpoints can be
 * served without express (see model-routes.ts) while express routes pass their objects in unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An incoming request whose JSON body has been read and parsed into `body`. */
export type ParsedRequest = IncomingMessage & { body?: unknown };
export type HttpResponse = ServerResponse;
