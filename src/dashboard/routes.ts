/**
 * The dashboard's endpoints, mounted in the one route table (router.ts) under /ui, each its own answer
 * (`plugins: false`): the pages, the login and logout, the bundle, the data API and the live event stream.
 * Everything but the login page and the bundle needs a session cookie; the cookie holds a random session id,
 * never the admin key, and is HttpOnly, SameSite=Strict, scoped to the dashboard's path.
 */
import type { IncomingMessage } from 'node:http';
import { errors, GatewayError } from '../errors';
import { adminKeyOf, secretsEqual } from '../pipeline/admin-key';
import type { RequestContext } from '../pipeline/types';
import type { RuntimeSnapshot } from '../routing/snapshot-types';
import type { HttpResponse } from '../server/http-types';
import { recordDashboardLogin } from '../observability/metrics';
import type { EndpointWork } from '../server/lifecycle';
import type { RuntimeHandle } from '../server/runtime-handle';
import { readJsonBody } from '../server/body-reader';
import { headerList, sendJson } from '../server/send';
import { asset } from './assets';
import { configData, overviewData, requestDetail, requestsData, spendCsv, spendData } from './data';
import { clientAddress } from './login-throttle';
import { providersData } from './providers-data';
import { appPage, CSP, loginPage } from './pages';
import { replayJobsOf, replayRequestOf, replayTemplate, startReplay } from './replay-data';
import { dashboardStateOf, type DashboardState } from './state';

const COOKIE = 'switchyard_session';
const LOGIN_BODY_LIMIT = 4096;

function queryOf(req: IncomingMessage): Record<string, string> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  if (q >= 0) for (const [k, v] of new URLSearchParams(url.slice(q + 1))) query[k] = v;
  return query;
}

function cookieOf(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The path prefix a reverse proxy serves the gateway under: x-forwarded-prefix, else server.dashboard.base_path. */
function prefixOf(req: IncomingMessage, snapshot: RuntimeSnapshot): string {
  const forwarded = req.headers['x-forwarded-prefix'];
  const raw = typeof forwarded === 'string' ? forwarded : (snapshot.config.server.dashboard?.base_path ?? '');
  // Only a plain path: anything else would let a header write cookie attributes.
  return /^(\/[A-Za-z0-9._~-]+)*\/?$/.test(raw) ? raw.replace(/\/$/, '') : '';
}

function cookieHeader(req: IncomingMessage, snapshot: RuntimeSnapshot, value: string, maxAgeS: number): string {
  const secure = req.headers['x-forwarded-proto'] === 'https' || (req.socket as { encrypted?: boolean }).encrypted ? '; Secure' : '';
  return `${COOKIE}=${value}; Path=${prefixOf(req, snapshot)}/ui; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`;
}

function pageHeaders(ctx: RequestContext, type: string, length: number, extra: string[] = []): string[] {
  return headerList(ctx.responseHeaders, [
    'content-type',
    type,
    'content-length',
    String(length),
    'cache-control',
    'no-store',
    'content-security-policy',
    CSP,
    'x-content-type-options',
    'nosniff',
    'referrer-policy',
    'no-referrer',
    'x-frame-options',
    'DENY',
    ...extra,
  ]);
}

function done(ctx: RequestContext, status: number) {
  return { status, completed: true, latencyMs: performance.now() - ctx.startedMono };
}

function sendHtml(ctx: RequestContext, res: HttpResponse, status: number, html: string, extra: string[] = []) {
  res.writeHead(status, pageHeaders(ctx, 'text/html; charset=utf-8', Buffer.byteLength(html), extra));
  res.end(html);
  return done(ctx, status);
}

/** A redirect to a relative location (works under any prefix). */
function redirect(ctx: RequestContext, res: HttpResponse, location: string, extra: string[] = []) {
  res.writeHead(303, pageHeaders(ctx, 'text/plain; charset=utf-8', 0, ['location', location, ...extra]));
  res.end();
  return done(ctx, 303);
}

function enabled(snapshot: RuntimeSnapshot): void {
  if (!snapshot.config.server.dashboard?.enabled) throw errors.dashboardDisabled();
}

function loggedIn(state: DashboardState, req: IncomingMessage): boolean {
  return state.sessions.valid(cookieOf(req));
}

type Serve = (
  ctx: RequestContext,
  res: HttpResponse,
  snapshot: RuntimeSnapshot,
  req: IncomingMessage,
  state: DashboardState,
) => Promise<ReturnType<typeof done>>;

function work(handle: RuntimeHandle, body: EndpointWork['body'], needsSession: boolean, serve: Serve): EndpointWork {
  return {
    body,
    plugins: false,
    serve(ctx, res, snapshot, req) {
      enabled(snapshot);
      const state = dashboardStateOf(handle);
      if (needsSession && !loggedIn(state, req)) throw errors.dashboardLoginRequired();
      return serve(ctx, res, snapshot, req, state);
    },
  };
}

/** Reads the small login body (urlencoded form or JSON) and returns the key field. */
function readLoginKey(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > LOGIN_BODY_LIMIT) {
        // Refused, and the rest is read and dropped (never kept), so the client reads the answer rather than a reset.
        chunks.length = 0;
        reject(errors.dashboardBadLogin(`the body is over ${LOGIN_BODY_LIMIT} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('error', (err) => reject(err));
    // A client gone before the end: settle, so the request's snapshot lease is released.
    req.on('close', () => reject(errors.dashboardBadLogin('the body ended early')));
    req.on('end', () => {
      if (size > LOGIN_BODY_LIMIT) return;
      const text = Buffer.concat(chunks).toString('utf8');
      const type = String(req.headers['content-type'] ?? '');
      let key: unknown;
      if (type.startsWith('application/json')) {
        try {
          key = (JSON.parse(text) as { key?: unknown }).key;
        } catch {
          return reject(errors.dashboardBadLogin('the JSON does not parse'));
        }
      } else key = new URLSearchParams(text).get('key');
      if (typeof key !== 'string' || key === '') return reject(errors.dashboardBadLogin('the field is missing'));
      resolve(key);
    });
  });
}

function json(
  serve: (snapshot: RuntimeSnapshot, state: DashboardState, query: Record<string, string>, handle: RuntimeHandle) => unknown,
  handle: RuntimeHandle,
): Serve {
  return async (ctx, res, snapshot, req, state) => {
    const body = await serve(snapshot, state, queryOf(req), handle);
    sendJson(res, 200, body, { ...ctx.responseHeaders, 'cache-control': 'no-store' });
    return done(ctx, 200);
  };
}

/** What a page's live stream sends: the same JSON its data endpoint answers. */
async function pageData(page: string, handle: RuntimeHandle, state: DashboardState, query: Record<string, string>): Promise<unknown> {
  const lease = handle.acquire();
  try {
    const s = lease.snapshot;
    if (page === 'providers') return providersData(s, state);
    // Awaited inside the lease: a reload must not close the store a read is using.
    if (page === 'requests') return await requestsData(s, query);
    if (page === 'config') return configData(handle, s);
    if (page === 'spend') return await spendData(s, state.now(), query);
    return await overviewData(s, state, query);
  } finally {
    lease.release();
  }
}

/** Least time between two updates of one stream: a burst of requests makes one update, not one per request. */
const STREAM_MIN_GAP_MS = 1000;
/** Pages whose data changes with time alone (cooldowns count down) are also sent this often. */
const STREAM_TICK_MS = 5000;

const events: Serve = (ctx, res, snapshot, req, state) => {
  const query = queryOf(req);
  const page = query.page ?? 'overview';
  return new Promise((resolve) => {
    res.writeHead(
      200,
      headerList(ctx.responseHeaders, ['content-type', 'text/event-stream; charset=utf-8', 'cache-control', 'no-store', 'x-accel-buffering', 'no']),
    );
    res.write('retry: 1000\n\n');
    let dirty = true;
    let sending = false;
    let sinceTick = 0;
    const handle = handleOf.get(state)!;
    const send = async () => {
      if (sending || res.writableEnded) return;
      sending = true;
      dirty = false;
      try {
        const data = await pageData(page, handle, state, query);
        if (!res.writableEnded) res.write(`event: update\ndata: ${JSON.stringify(data)}\n\n`);
      } catch (err) {
        const message = err instanceof GatewayError ? err.message : 'the page data could not be read';
        if (!res.writableEnded) res.write(`event: problem\ndata: ${JSON.stringify({ message })}\n\n`);
      } finally {
        sending = false;
      }
    };
    const onRecord = () => {
      dirty = true;
    };
    state.listeners.add(onRecord);
    const timer = setInterval(() => {
      // A drain or an ended session ends the stream, so shutdown never waits for an open page.
      if (handle.draining || !state.sessions.valid(cookieOf(req))) return finish();
      // After a reload the stream ends (the browser reconnects on the new config): an open page must not hold
      // the old snapshot, whose plugins close only when its last lease is released.
      const lease = handle.acquire();
      lease.release();
      if (lease.snapshot !== snapshot) return finish();
      sinceTick += STREAM_MIN_GAP_MS;
      const timely = (page === 'providers' || page === 'overview') && sinceTick >= STREAM_TICK_MS;
      if (timely) sinceTick = 0;
      if (dirty || timely) void send();
      else if (!res.writableEnded) res.write(': keep-alive\n\n');
    }, STREAM_MIN_GAP_MS);
    timer.unref();
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      state.listeners.delete(onRecord);
      if (!res.writableEnded) res.end();
      resolve(done(ctx, 200));
    };
    res.on('close', finish);
    void send();
  });
};

/**
 * POST /ui/api/replay. The session is checked before a byte of the body is read (an unauthenticated POST is a
 * 401 whatever it carries, and its body is discarded unparsed); then the one body reader reads it.
 */
function replayStart(handle: RuntimeHandle): EndpointWork {
  return {
    body: 'raw',
    plugins: false,
    async serve(ctx, res, snapshot, req) {
      enabled(snapshot);
      const state = dashboardStateOf(handle);
      if (!loggedIn(state, req)) {
        req.resume();
        throw errors.dashboardLoginRequired();
      }
      const body = await new Promise<unknown>((resolve, reject) =>
        readJsonBody(req, handle.bodyLimits, { bodyRead: (err, value) => (err ? reject(err) : resolve(value)) }),
      );
      const started = startReplay(handle, replayRequestOf(body), queryOf(req), state.now());
      sendJson(res, 202, started, { ...ctx.responseHeaders, 'cache-control': 'no-store' });
      return done(ctx, 202);
    },
  };
}

const handleOf = new WeakMap<DashboardState, RuntimeHandle>();

/**
 * Every dashboard route as [method, path, work], for the route table.
 *
 * @example for (const [m, p, w] of dashboardRoutes(handle)) add(m, p, 'dashboard', w);
 */
export function dashboardRoutes(handle: RuntimeHandle): [string, string, EndpointWork][] {
  const w = (body: EndpointWork['body'], needsSession: boolean, serve: Serve) =>
    work(handle, body, needsSession, (ctx, res, snapshot, req, state) => {
      handleOf.set(state, handle);
      return serve(ctx, res, snapshot, req, state);
    });
  const assetWork = (name: string) =>
    w('none', false, async (ctx, res) => {
      const a = asset(name);
      if (!a) throw errors.notFound();
      res.writeHead(200, pageHeaders(ctx, a.type, a.body.length));
      res.end(a.body);
      return done(ctx, 200);
    });
  return [
    ['GET', '/ui', w('none', false, async (ctx, res, _s, req, state) => sendHtml(ctx, res, 200, loggedIn(state, req) ? appPage() : loginPage('ui')))],
    ['GET', '/ui/', w('none', false, async (ctx, res) => redirect(ctx, res, '../ui'))],
    [
      'POST',
      '/ui/login',
      w('raw', false, async (ctx, res, snapshot, req, state) => {
        const key = await readLoginKey(req);
        const settings = snapshot.config.server.dashboard;
        const limits = { maxFailures: settings?.login_max_failures ?? 5, windowMs: (settings?.login_window_minutes ?? 15) * 60_000 };
        const client = clientAddress(req, settings?.trusted_proxy_hops ?? 0);
        const adminKey = adminKeyOf(snapshot.config);
        const right = adminKey !== undefined && secretsEqual(key, adminKey);
        // The throttle answers before the key's verdict is used, so a throttled address cannot learn whether its
        // guess was right; check and count are one step (one round trip to the primary with --workers).
        const waitMs = await state.logins.attempt(client, limits, right);
        if (waitMs > 0) {
          const refusal = errors.dashboardLoginThrottled(Math.ceil(waitMs / 1000));
          recordDashboardLogin('throttled');
          handle.log.warn('dashboard login throttled', { request_id: ctx.id, client, retry_after_s: refusal.headers['retry-after'] });
          return sendHtml(ctx, res, refusal.status, loginPage('../ui', refusal.message), ['retry-after', refusal.headers['retry-after']]);
        }
        if (!right) {
          recordDashboardLogin('refused');
          handle.log.warn('dashboard login refused', { request_id: ctx.id, client });
          return sendHtml(ctx, res, 401, loginPage('../ui', 'That key was not accepted.'));
        }
        recordDashboardLogin('ok');
        const id = state.sessions.create();
        const ttlS = (snapshot.config.server.dashboard?.session_ttl_minutes ?? 480) * 60;
        // From /ui/login, "../ui" is the dashboard under whatever prefix the browser used.
        return redirect(ctx, res, '../ui', ['set-cookie', cookieHeader(req, snapshot, id, ttlS)]);
      }),
    ],
    [
      'POST',
      '/ui/logout',
      w('none', false, async (ctx, res, snapshot, req, state) => {
        state.sessions.revoke(cookieOf(req));
        return redirect(ctx, res, '../ui', ['set-cookie', cookieHeader(req, snapshot, '', 0)]);
      }),
    ],
    ['GET', '/ui/app.js', assetWork('app.js')],
    ['GET', '/ui/app.css', assetWork('app.css')],
    ['GET', '/ui/uplot.css', assetWork('uplot.css')],
    [
      'GET',
      '/ui/api/overview',
      w(
        'none',
        true,
        json((s, state, q) => overviewData(s, state, q), handle),
      ),
    ],
    [
      'GET',
      '/ui/api/providers',
      w(
        'none',
        true,
        json((s, state) => providersData(s, state), handle),
      ),
    ],
    [
      'GET',
      '/ui/api/requests',
      w(
        'none',
        true,
        json((s, _state, q) => requestsData(s, q), handle),
      ),
    ],
    [
      'GET',
      '/ui/api/request',
      w(
        'none',
        true,
        json((s, _state, q) => requestDetail(s, q.id), handle),
      ),
    ],
    [
      'GET',
      '/ui/api/config',
      w(
        'none',
        true,
        json((s, _state, _q, h) => configData(h, s), handle),
      ),
    ],
    [
      'GET',
      '/ui/api/spend',
      w(
        'none',
        true,
        json((s, state, q) => spendData(s, state.now(), q), handle),
      ),
    ],
    [
      'GET',
      '/ui/api/spend.csv',
      w('none', true, async (ctx, res, snapshot, req, state) => {
        const csv = await spendCsv(snapshot, state.now(), queryOf(req));
        res.writeHead(
          200,
          headerList(ctx.responseHeaders, [
            'content-type',
            'text/csv; charset=utf-8',
            'content-length',
            String(Buffer.byteLength(csv)),
            'content-disposition',
            'attachment; filename="spend.csv"',
            'cache-control',
            'no-store',
          ]),
        );
        res.end(csv);
        return done(ctx, 200);
      }),
    ],
    ['GET', '/ui/api/events', w('none', true, events)],
    // Replay: GET the starting candidate; POST { config: YAML } (?since=7d&until=…) starts a job and answers
    // 202 with its id at once; GET …/job is its progress, then its report (kept until the next run).
    [
      'GET',
      '/ui/api/replay',
      w(
        'none',
        true,
        json((s) => replayTemplate(s), handle),
      ),
    ],
    ['POST', '/ui/api/replay', replayStart(handle)],
    [
      'GET',
      '/ui/api/replay/job',
      w(
        'none',
        true,
        json(() => replayJobsOf(handle).view(), handle),
      ),
    ],
  ];
}
