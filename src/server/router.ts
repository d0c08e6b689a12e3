/**
 * The one router of the HTTP layer: an exact-path table for the gateway's endpoints, the passthrough mount, the
 * plugins' routes, then 404. Every request, whatever it hits, is served by runLifecycle (lifecycle.ts), so
 * every answer, 404 and 405 included, has its request id, its log line and its count.
 *
 * Plain node:http, no framework: express swapped the prototypes of every request and response and ran a
 * middleware chain, which cost more CPU per request than the rest of a proxied call (on the 2-core reference
 * machine an express + express.json echo took ~190–290 µs CPU per request, the same echo on plain Node ~60–90 µs).
 */
import type { IncomingMessage } from 'node:http';
import { errors } from '../errors';
import type { Endpoint } from '../pipeline/types';
import { addPreflightHeaders, isPreflight } from './cors';
import type { HttpResponse } from './http-types';
import { runLifecycle, type EndpointWork } from './lifecycle';
import { chatWork } from './routes/chat';
import { completionsWork } from './routes/completions';
import { countTokensWork } from './routes/count-tokens';
import { feedbackWork } from './routes/feedback';
import { embeddingsWork } from './routes/embeddings';
import { liveWork, readyWork } from './routes/health';
import { messagesWork } from './routes/messages';
import { metricsWork } from './routes/metrics';
import { MODEL_PATHS, modelsWork, modelWork } from './routes/models';
import { passthroughWork } from './routes/passthrough';
import { pluginRoutesAt, pluginRouteWithBody, pluginRouteWithoutBody } from './routes/plugin-routes';
import type { RuntimeHandle } from './runtime-handle';
import { headerList } from './send';
import { servedHeaders } from './lifecycle';

interface Mounted {
  endpoint: Endpoint;
  work: EndpointWork;
}

/** One path: its works by method (a Map: a method name never finds an inherited key), and its 405. */
interface PathRoutes {
  methods: Map<string, Mounted>;
  wrongMethod: Mounted;
}

/** The answer to a method the path does not serve, in the path's own error format. */
function wrongMethodWork(allow: string, sendError: EndpointWork['sendError']): EndpointWork {
  return {
    body: 'none',
    plugins: false,
    sendError,
    serve: () => Promise.reject(errors.methodNotAllowed(allow)),
  };
}

const notFoundWork: EndpointWork = { body: 'none', plugins: false, serve: () => Promise.reject(errors.notFound()) };
const modelWrongMethod = wrongMethodWork('GET, HEAD', undefined);

/** A CORS preflight, when server.cors is configured: 204, with the CORS headers for an allowed origin only. */
const preflightWork: EndpointWork = {
  body: 'none',
  plugins: false,
  serve(ctx, res, snapshot, req) {
    const cors = snapshot.config.server.cors;
    if (cors !== undefined) addPreflightHeaders(ctx.responseHeaders, req.headers, cors);
    res.writeHead(204, headerList(servedHeaders(ctx), []));
    res.end();
    return Promise.resolve({ status: 204, completed: true, latencyMs: performance.now() - ctx.startedMono });
  },
};

function corsConfigured(handle: RuntimeHandle): boolean {
  const { snapshot, release } = handle.acquire();
  release();
  return snapshot.config.server.cors !== undefined;
}

/** True when a request announces a body (a length above zero, or chunked framing). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * The exact-path table of the gateway's own endpoints.
 *
 * @example const table = routeTable(handle); table.get('/v1/chat/completions')?.methods.get('POST')
 */
export function routeTable(handle: RuntimeHandle): Map<string, PathRoutes> {
  const byPath = new Map<string, Map<string, Mounted>>();
  const add = (method: string, path: string, endpoint: Endpoint, work: EndpointWork) => {
    if (!byPath.has(path)) byPath.set(path, new Map());
    byPath.get(path)!.set(method, { endpoint, work });
  };
  add('POST', '/v1/chat/completions', 'chat', chatWork);
  add('POST', '/v1/completions', 'completions', completionsWork);
  add('POST', '/v1/embeddings', 'embeddings', embeddingsWork);
  add('POST', '/v1/messages', 'messages', messagesWork);
  add('POST', '/v1/messages/count_tokens', 'count_tokens', countTokensWork);
  add('POST', '/v1/feedback', 'feedback', feedbackWork);
  add('GET', '/v1/models', 'models', modelsWork);
  add('GET', '/health/live', 'health', liveWork);
  add('GET', '/health/ready', 'health', readyWork(handle));
  add('GET', '/metrics', 'metrics', metricsWork);

  // OpenAI's API answers with and without its /v1 prefix (clients configured with a bare base URL call /chat/completions).
  for (const [path, methods] of [...byPath]) if (path.startsWith('/v1/')) byPath.set(path.slice('/v1'.length), methods);

  const table = new Map<string, PathRoutes>();
  for (const [path, methods] of byPath) {
    // HEAD is served wherever GET is (Node leaves the body out).
    const get = methods.get('GET');
    if (get) methods.set('HEAD', get);
    const first = methods.values().next().value!;
    const allow = [...methods.keys()].join(', ');
    table.set(path, { methods, wrongMethod: { endpoint: first.endpoint, work: wrongMethodWork(allow, first.work.sendError) } });
  }
  return table;
}

/**
 * The gateway server's request listener.
 *
 * @example http.createServer({ ServerResponse: TimedResponse }, createRouter(gateway)).listen(4000);
 */
export function createRouter(handle: RuntimeHandle): (req: IncomingMessage, res: HttpResponse) => void {
  const table = routeTable(handle);
  return function route(req, res) {
    if (isPreflight(req.method, req.headers) && corsConfigured(handle)) return runLifecycle(req, res, handle, 'preflight', preflightWork);
    const path = pathOf(req.url ?? '/');
    const at = table.get(path);
    if (at !== undefined) {
      const mounted = at.methods.get(req.method ?? '') ?? at.wrongMethod;
      return runLifecycle(req, res, handle, mounted.endpoint, mounted.work);
    }
    if (path.startsWith('/passthrough/')) return runLifecycle(req, res, handle, 'passthrough', passthroughWork);
    if (MODEL_PATHS.some((p) => path.startsWith(p))) {
      return runLifecycle(req, res, handle, 'models', req.method === 'GET' || req.method === 'HEAD' ? modelWork : modelWrongMethod);
    }
    // Plugin routes change with reloads: looked up in the current snapshot (and again in the request's own).
    const { snapshot, release } = handle.acquire();
    const plugin = pluginRoutesAt(snapshot, path);
    release();
    if (plugin === undefined) return runLifecycle(req, res, handle, 'unknown', notFoundWork);
    const allowed = plugin.find((r) => r.method === req.method);
    if (!allowed) return runLifecycle(req, res, handle, 'plugin_route', wrongMethodWork(plugin.map((r) => r.method).join(', '), undefined));
    runLifecycle(req, res, handle, 'plugin_route', hasBody(req) ? pluginRouteWithBody : pluginRouteWithoutBody);
  };
}
