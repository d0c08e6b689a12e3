/**
 * The express app: routes and body parsing. Each route is a thin adapter from HTTP to the request lifecycle
 * (lifecycle.ts); nothing here knows about providers or plugins beyond mounting their routes.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { errors, GatewayError } from '../errors';
import { parseJsonBody } from './body-guards';
import { runLifecycle } from './lifecycle';
import { drainingError } from './model-routes';
import { live, ready } from './routes/health';
import { metricsRoute } from './routes/metrics';
import { modelsWork } from './routes/models';
import { passthroughRequest } from './routes/passthrough';
import type { RuntimeHandle } from './runtime-handle';
import { sendError, sendJson } from './send';

export interface AppOptions {
  maxBodyBytes: number;
  /** Extra routers mounted before the 404 handler (e.g. the Anthropic front door). */
  extraRoutes?: ((app: express.Express, handle: RuntimeHandle) => void)[];
}

/** Turns body-parser failures into OpenAI-shaped 400/413s. */
function bodyErrors(maxBodyBytes: number) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    const e = err as { type?: string; status?: number };
    if (e?.type === 'entity.too.large') return void sendError(res, errors.bodyTooLarge(maxBodyBytes));
    if (e?.type === 'entity.parse.failed') return void sendError(res, errors.badRequest('The request body is not valid JSON.', null, 'invalid_json'));
    if (e?.type === 'entity.verify.failed' && (err as { invalidUtf8?: boolean }).invalidUtf8) return void sendError(res, errors.badRequest('The request body is not valid UTF-8.', null, 'invalid_utf8'));
    if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return void sendError(res, errors.badRequest('Unsupported body encoding.'));
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return void sendError(res, errors.badRequest('Unreadable request body.'));
    next(err);
  };
}

/** Plugin routes (admin endpoints) are looked up in the current snapshot per request, so a reload can add or remove them. */
function pluginRoutes(handle: RuntimeHandle) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const { snapshot, release } = handle.acquire();
    try {
      const route = snapshot.pipeline.routes.find((r) => r.method === req.method && r.path === req.path);
      if (!route) return next();
      const query = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, String(v)]));
      const out = await route.handle({ headers: req.headers, query, body: req.body });
      sendJson(res, out.status, out.body, out.headers);
    } catch (err) {
      sendError(res, err);
    } finally {
      release();
    }
  };
}

/**
 * @example const app = createApp(handle, { maxBodyBytes: 32 << 20 }); http.createServer(app).listen(4000);
 */
export function createApp(handle: RuntimeHandle, opts: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((_req, res, next) => {
    if (handle.draining) {
      res.setHeader('connection', 'close');
      return void sendError(res, drainingError());
    }
    next();
  });

  // Before the JSON parser: passthrough streams the unread body. Not mounted at a path: it reads the full URL.
  const passthrough = passthroughRequest(handle);
  app.use((req, res, next) => (/^\/passthrough(\/|\?|$)/.test(req.url) ? passthrough(req, res) : next()));

  app.get('/health/live', live);
  app.get('/health/ready', ready(handle));
  app.get('/metrics', metricsRoute(handle));

  const json = parseJsonBody(opts.maxBodyBytes);
  // POST /v1/chat/completions, /v1/embeddings and /v1/messages are served in front of this app (model-routes.ts).
  app.get('/v1/models', (req, res) => runLifecycle(req, res, handle, 'models', modelsWork));

  for (const extra of opts.extraRoutes ?? []) extra(app, handle);

  app.use(json, pluginRoutes(handle));
  app.use(bodyErrors(opts.maxBodyBytes));
  app.use((_req: Request, res: Response) => sendError(res, new GatewayError({ status: 404, type: 'invalid_request_error', code: 'not_found', message: 'Unknown endpoint. Switchyard serves /v1/chat/completions, /v1/messages, /v1/embeddings, /v1/models, /health/* and /passthrough/{provider}/*.' })));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    handle.log.error('unhandled route error', { error: (err as Error)?.stack ?? String(err) });
    sendError(res, err);
  });
  return app;
}
