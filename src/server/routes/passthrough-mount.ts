/**
 * The seam where passthrough meets the router: whatever routes/passthrough.ts exports, this file turns it into
 * the `raw` EndpointWork the router mounts at /passthrough/.
 *
 * TEMPORARY SHIM: routes/passthrough.ts is still a pair of express-style middlewares (http-proxy-middleware).
 * Once it is an EndpointWork itself (`body: 'raw'`, run by runLifecycle), this file becomes one re-export and
 * the shim below goes.
 */
// Lets the compiler name express's query type in passthrough.ts's emitted declarations (goes with the shim).
import type {} from 'qs';
import type { IncomingMessage } from 'node:http';
import type { HttpResponse } from '../http-types';
import type { EndpointWork } from '../lifecycle';
import { Pipeline } from '../../pipeline/pipeline';
import type { RequestOutcome } from '../../pipeline/types';
import type { RuntimeHandle } from '../runtime-handle';
import { passthroughRoute } from './passthrough';

const NO_HOOKS = new Pipeline([]);

/**
 * The handle passthrough.ts's middleware sees: its snapshots have no plugin hooks, because the lifecycle has run
 * them already (its resolveTarget would run onRequest a second time, on a context of its own).
 */
function handleWithoutHooks(handle: RuntimeHandle): RuntimeHandle {
  return {
    get log() {
      return handle.log;
    },
    get draining() {
      return handle.draining;
    },
    get maxBodyBytes() {
      return handle.maxBodyBytes;
    },
    lastReload: () => handle.lastReload(),
    acquire() {
      const lease = handle.acquire();
      return { snapshot: Object.create(lease.snapshot, { pipeline: { value: NO_HOOKS } }) as typeof lease.snapshot, release: lease.release };
    },
  };
}

type Middleware = (req: IncomingMessage, res: HttpResponse, next: () => void) => unknown;

/**
 * @example router mounts passthroughWork(handle) at /passthrough/
 */
export function passthroughWork(handle: RuntimeHandle): EndpointWork {
  const [resolveTarget, proxy] = passthroughRoute(handleWithoutHooks(handle)) as unknown as [Middleware, Middleware];
  return {
    body: 'raw',
    serve(ctx, res, _snapshot, req) {
      return new Promise<RequestOutcome>((resolve) => {
        // What express gave the middleware: the path below the mount point, `req.res` and `res.locals`.
        const shaped = req as IncomingMessage & { res?: HttpResponse };
        shaped.res = res;
        (res as HttpResponse & { locals?: Record<string, unknown> }).locals = {};
        req.url = req.url!.slice('/passthrough'.length) || '/';
        // The middleware writes its own headers; this one is merged into whatever it writes.
        res.setHeader('x-request-id', ctx.id);
        res.once('close', () => resolve({ status: res.statusCode, completed: res.writableFinished, latencyMs: performance.now() - ctx.startedMono }));
        resolveTarget(req, res, () => proxy(req, res, () => undefined));
      });
    },
  };
}
