/**
 * Routes contributed by plugins (GET /admin/spend, …). They are looked up in the request's snapshot, so a reload
 * can add or remove them. Each route checks its own credentials (the admin key): no plugin hook runs for them.
 */
import type { IncomingMessage } from 'node:http';
import type { PluginRoute } from '../../pipeline/types';
import type { RuntimeSnapshot } from '../../routing/snapshot-types';
import { errors } from '../../errors';
import type { BodyKind, EndpointWork } from '../lifecycle';
import { sendJson } from '../send';

/**
 * The plugin routes of a snapshot at `path`, for the router: undefined when none is there.
 *
 * @example pluginRoutesAt(snapshot, '/admin/spend') // [{ method: 'GET', path: '/admin/spend', handle }]
 */
export function pluginRoutesAt(snapshot: RuntimeSnapshot, path: string): PluginRoute[] | undefined {
  let found: PluginRoute[] | undefined;
  for (const p of snapshot.pipeline.plugins) {
    for (const r of p.hooks.routes ?? []) if (r.path === path) (found ??= []).push(r);
  }
  return found;
}

function pathAndQuery(req: IncomingMessage): { path: string; query: Record<string, string> } {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  if (q < 0) return { path: url, query: {} };
  // A null-prototype object: a query such as ?__proto__=x is a plain key, never the object's prototype.
  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of new URLSearchParams(url.slice(q + 1))) query[k] = v;
  return { path: url.slice(0, q), query };
}

function pluginRouteWork(body: BodyKind): EndpointWork {
  return {
    body,
    plugins: false,
    async serve(ctx, res, snapshot, req) {
      const { path, query } = pathAndQuery(req);
      // Looked up again in this request's snapshot: a reload between routing and here may have removed it.
      const route = pluginRoutesAt(snapshot, path)?.find((r) => r.method === req.method);
      if (!route) throw errors.notFound();
      const out = await route.handle({ headers: req.headers, query, body: ctx.body });
      sendJson(res, out.status, out.body, { ...ctx.responseHeaders, ...out.headers });
      return { status: out.status, completed: true, latencyMs: performance.now() - ctx.startedMono };
    },
  };
}

/**
 * A plugin route for a request with a JSON body, and one for a request without a body.
 *
 * @example runLifecycle(req, res, handle, 'plugin_route', hasBody(req) ? pluginRouteWithBody : pluginRouteWithoutBody)
 */
export const pluginRouteWithBody = pluginRouteWork('json');
export const pluginRouteWithoutBody = pluginRouteWork('none');
