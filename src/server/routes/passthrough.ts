/**
 * /passthrough/{provider}/*: raw forwarding to a configured provider's base_url with its credentials injected,
 * for endpoints Switchyard does not model (files, batches, …). Only configured providers are reachable and the
 * path cannot climb out of the base URL, so this is never an open proxy. The client's own credentials are
 * stripped.
 */
import type { ClientRequest } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { errors, GatewayError } from '../../errors';
import { createContext, requestIdFor } from '../context';
import type { RuntimeHandle } from '../runtime-handle';
import { sendError } from '../send';

interface PassthroughTarget {
  origin: string;
  path: string;
  auth: Record<string, string>;
  headers: Record<string, string>;
}

const CLIENT_CREDENTIALS = ['authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'cookie'];

/**
 * Decodes until nothing changes, so a double-encoded `%252e%252e` is judged as the `..` an upstream that decodes
 * once more would see. Malformed escapes are a 400.
 */
function fullyDecoded(raw: string): string {
  let current = raw;
  for (let round = 0; round < 4; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      throw errors.badRequest('Malformed passthrough path.');
    }
    if (next === current) return current;
    current = next;
  }
  throw errors.badRequest('Passthrough paths may not be encoded more than three times over.');
}

/** Rejects anything that could escape the provider's base path once decoded. */
function safeSubPath(raw: string): string {
  const decoded = fullyDecoded(raw);
  // eslint-disable-next-line no-control-regex
  if (decoded.includes('..') || decoded.includes('\\') || decoded.startsWith('//') || /^[a-z][a-z0-9+.-]*:/i.test(decoded.replace(/^\/+/, '')) || /[\u0000-\u001f\u007f]/.test(decoded)) {
    throw errors.badRequest('Passthrough paths may not contain "..", backslashes, control characters or absolute URLs.');
  }
  return raw.startsWith('/') ? raw : `/${raw}`;
}

/**
 * Resolves the target for a request and stores it for the proxy; answers 404/503/400 itself when it cannot.
 * The plugins' onRequest runs first with endpoint "passthrough", so an auth plugin guards the provider's
 * credentials here as everywhere else (plugins that shape or price model calls ignore this endpoint).
 */
function resolveTarget(handle: RuntimeHandle) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const { snapshot, release } = handle.acquire();
    try {
      await snapshot.pipeline.onRequest(createContext(req, res, 'passthrough', handle.log, requestIdFor(req)));
      const match = /^\/([^/?#]+)(\/[^?#]*)?(\?.*)?$/.exec(req.url);
      const provider = match ? snapshot.providers.get(fullyDecoded(match[1])) : undefined;
      if (!match || !provider || provider.settings.api === 'mock') {
        throw new GatewayError({ status: 404, type: 'invalid_request_error', code: 'unknown_provider', message: 'Passthrough needs a configured network provider: /passthrough/{provider}/{path}.' });
      }
      if (!provider.available) {
        throw new GatewayError({ status: 503, code: 'provider_unavailable', message: `Provider "${provider.name}" is unavailable: ${provider.missingEnv.join(', ')} not set.` });
      }
      const base = new URL(provider.settings.baseUrl);
      const sub = safeSubPath(match[2] ?? '/');
      const target: PassthroughTarget = {
        origin: base.origin,
        path: base.pathname.replace(/\/+$/, '') + sub + (match[3] ?? ''),
        auth: provider.adapter.authHeaders(provider.settings),
        headers: provider.settings.headers,
      };
      res.locals.passthrough = target;
      next();
    } catch (err) {
      sendError(res, err);
    } finally {
      release();
    }
  };
}

/**
 * @example app.use('/passthrough', ...passthroughRoute(handle));
 */
export function passthroughRoute(handle: RuntimeHandle) {
  const targetOf = (req: unknown) => ((req as Request).res?.locals.passthrough as PassthroughTarget);
  const proxy = createProxyMiddleware<Request, Response>({
    changeOrigin: true,
    router: (req) => targetOf(req).origin,
    pathRewrite: (_path, req) => targetOf(req).path,
    proxyTimeout: 600_000,
    on: {
      proxyReq(proxyReq: ClientRequest, req) {
        const t = targetOf(req);
        for (const h of CLIENT_CREDENTIALS) proxyReq.removeHeader(h);
        for (const [k, v] of Object.entries({ ...t.headers, ...t.auth })) proxyReq.setHeader(k, v);
      },
      error(_err, _req, res) {
        const r = res as Response;
        if (typeof r.writeHead === 'function' && !r.headersSent) {
          sendError(r, new GatewayError({ status: 502, code: 'upstream_unreachable', message: 'Passthrough upstream could not be reached.' }));
        } else if ('destroy' in r) r.destroy();
      },
    },
  });
  return [resolveTarget(handle), proxy] as const;
}
