/**
 * The response type the HTTP layer writes to: Node's own (the router is plain node:http).
 */
import type { ServerResponse } from 'node:http';

export type HttpResponse = ServerResponse;
