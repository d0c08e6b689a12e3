/**
 * Which headers passthrough relays in each direction. Hop-by-hop headers (RFC 9110 §7.6.1) describe one
 * connection and never cross a proxy; credentials belong to one side only: the client's keys are for the
 * gateway, the provider's key and cookies are for the gateway's own use of the provider.
 *
 * Never forwarded to the provider:
 *   hop-by-hop   connection (and every header it names), keep-alive, proxy-connection, te, trailer, transfer-encoding, upgrade
 *   proxy        proxy-authorization, proxy-authenticate
 *   credentials  authorization, x-api-key, api-key, x-goog-api-key, cookie (the provider's key is set instead)
 *   gateway's    host (the provider's own is used), expect, accept-encoding (identity is asked for, so the
 *                answer can be redacted), x-switchyard-*
 * Never relayed to the client:
 *   hop-by-hop   as above
 *   proxy        proxy-authenticate, proxy-authorization
 *   credentials  set-cookie, set-cookie2 (the provider's session is not the client's), www-authenticate (a
 *                challenge for the provider's credentials, which the client does not hold)
 *   framing      content-length, content-encoding (the body is redacted, and decoded, on the way), alt-svc
 *                (would point the client at the provider's endpoints for the gateway's address)
 *   gateway's    x-request-id, x-switchyard-* (the gateway sets its own)
 * Every relayed response header value goes through the log redaction.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { redactSecrets } from '../observability/redact';
import type { UpstreamResponse } from './transport';

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
];
const REQUEST_DROPPED = new Set([...HOP_BY_HOP, 'authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'cookie', 'host', 'expect', 'accept-encoding']);
const RESPONSE_DROPPED = new Set([
  ...HOP_BY_HOP,
  'set-cookie',
  'set-cookie2',
  'www-authenticate',
  'content-length',
  'content-encoding',
  'alt-svc',
  'x-request-id',
]);

/** The header names a Connection header lists: hop-by-hop too. */
function connectionListed(value: string | string[] | undefined): Set<string> {
  const listed = new Set<string>();
  for (const v of Array.isArray(value) ? value : value ? [value] : []) for (const name of v.split(',')) if (name.trim()) listed.add(name.trim().toLowerCase());
  return listed;
}

/**
 * The headers sent to the provider: the client's, less the ones above, plus the provider's configured headers
 * and credentials (which win over anything the client sent).
 *
 * @example forwardedRequestHeaders(req.headers, { authorization: 'Bearer sk-…' })
 */
export function forwardedRequestHeaders(client: IncomingHttpHeaders, provider: Record<string, string>): Record<string, string | string[]> {
  const listed = connectionListed(client.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(client)) {
    if (value === undefined || REQUEST_DROPPED.has(name) || listed.has(name) || name.startsWith('x-switchyard-')) continue;
    out[name] = value;
  }
  out['accept-encoding'] = 'identity';
  for (const [name, value] of Object.entries(provider)) {
    const key = name.toLowerCase();
    if (!REQUEST_DROPPED.has(key) || key === 'authorization' || key === 'x-api-key' || key === 'api-key' || key === 'x-goog-api-key') out[key] = value;
  }
  return out;
}

/**
 * The provider's response headers as relayed to the client: less the ones above, every value redacted.
 *
 * @example res.writeHead(status, { ...relayedResponseHeaders(upstream.headers), ...ctx.responseHeaders })
 */
export function relayedResponseHeaders(upstream: UpstreamResponse['headers']): Record<string, string | string[]> {
  const listed = connectionListed(upstream.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream)) {
    const key = name.toLowerCase();
    if (value === undefined || RESPONSE_DROPPED.has(key) || listed.has(key) || key.startsWith('x-switchyard-')) continue;
    out[key] = Array.isArray(value) ? value.map(redactSecrets) : redactSecrets(value);
  }
  return out;
}
