/**
 * The dashboard through the real gateway: the login (wrong key refused, right key gives a session cookie that is
 * HttpOnly, SameSite=Strict and holds no key), every data endpoint with and without the session, the data
 * they answer (recent requests with their attempts, spend from the SQLite sink, redacted config), the live
 * stream, logout, and that the admin key never reaches a log line or a URL.
 */
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';
import { chat } from '../helpers/client';
import { ADMIN_KEY, dashboardConfig, TEAM_KEY, UPSTREAM_KEY } from './config';

let fake: FakeOpenAI;
let gw: InProcessGateway;
const team = { headers: { authorization: `Bearer ${TEAM_KEY}` } };

beforeAll(async () => {
  fake = await startFakeOpenAI();
  fake.on('gpt-4o', { usage: { prompt_tokens: 1000, completion_tokens: 200 } });
  fake.on('gpt-4o-mini', { usage: { prompt_tokens: 500, completion_tokens: 50 } });
  fake.on('gpt-4o-broken', { status: 500 });
  gw = await startInProcess({ config: dashboardConfig(fake.url) });
  for (let i = 0; i < 3; i++)
    expect((await chat(gw.url, { model: 'chat', messages: [{ role: 'user', content: 'secret prompt text' }] }, team)).status).toBe(200);
  expect((await chat(gw.url, { model: 'fb', messages: [{ role: 'user', content: 'hi' }] }, team)).status).toBe(200);
  expect((await chat(gw.url, { model: 'nope', messages: [{ role: 'user', content: 'hi' }] }, team)).status).toBe(404);
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

function login(key: string, body?: string, type = 'application/x-www-form-urlencoded'): Promise<Response> {
  return fetch(`${gw.url}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': type },
    body: body ?? new URLSearchParams({ key }).toString(),
  });
}

async function session(): Promise<string> {
  const res = await login(ADMIN_KEY);
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0];
}

const DATA = ['/ui/api/overview', '/ui/api/providers', '/ui/api/requests', '/ui/api/config', '/ui/api/spend', '/ui/api/spend.csv'];

describe('login', () => {
  test('GET /ui without a session is the login page, with a CSP and no script', async () => {
    const res = await fetch(`${gw.url}/ui`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<form method="post" action="ui/login"');
    expect(html).not.toContain('<script');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  test('a wrong key is refused with 401 and no cookie', async () => {
    const res = await login('not-the-admin-key');
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toContain('That key was not accepted.');
  });

  test('a team key is not the admin key', async () => {
    expect((await login(TEAM_KEY)).status).toBe(401);
  });

  test('a body without the key field is a 400 in OpenAI shape', async () => {
    const res = await login('', 'other=1');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('dashboard_bad_login');
  });

  test('the right key gives a session cookie: a signed random id, HttpOnly, SameSite=Strict, scoped to /ui, relative redirect', async () => {
    const res = await login(ADMIN_KEY);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('../ui');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^switchyard_session=[A-Za-z0-9_-]{22}\.[0-9a-z]+\.[A-Za-z0-9_-]{43}; Path=\/ui; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    expect(cookie).not.toContain(ADMIN_KEY);
    const page = await fetch(`${gw.url}/ui`, { headers: { cookie: cookie.split(';')[0] } });
    expect(await page.text()).toContain('<script src="ui/app.js"></script>');
  });

  test('an oversized login body is a 400, and the gateway keeps serving', async () => {
    const res = await login('', `key=${'x'.repeat(10_000)}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('over 4096 bytes');
    expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
  });

  test('a JSON login works too', async () => {
    expect((await login('', JSON.stringify({ key: ADMIN_KEY }), 'application/json')).status).toBe(303);
  });

  test('behind a prefix the cookie path follows x-forwarded-prefix', async () => {
    const res = await fetch(`${gw.url}/ui/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-prefix': '/gateway' },
      body: `key=${ADMIN_KEY}`,
    });
    expect(res.headers.get('set-cookie')).toContain('Path=/gateway/ui;');
    expect(res.headers.get('location')).toBe('../ui');
  });

  test('logout revokes the session', async () => {
    const cookie = await session();
    expect((await fetch(`${gw.url}/ui/api/overview`, { headers: { cookie } })).status).toBe(200);
    const out = await fetch(`${gw.url}/ui/logout`, { method: 'POST', redirect: 'manual', headers: { cookie } });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await fetch(`${gw.url}/ui/api/overview`, { headers: { cookie } })).status).toBe(401);
  });

  test('the admin key never appears in a log line', () => {
    const logs = gw.logs().join('\n');
    expect(logs).toContain('dashboard login refused');
    expect(logs).not.toContain(ADMIN_KEY);
    for (const r of gw.logRecords()) if (typeof r.path === 'string' || typeof r.url === 'string') expect(String(r.path ?? r.url)).not.toContain('key=');
  });
});

describe('data endpoints', () => {
  test.each(DATA)('%s refuses without a session, and with a made-up one', async (path) => {
    const none = await fetch(`${gw.url}${path}`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('dashboard_login_required');
    expect((await fetch(`${gw.url}${path}`, { headers: { cookie: 'switchyard_session=made-up' } })).status).toBe(401);
    // The admin key as a bearer token is not a session either: the dashboard API takes only the cookie.
    expect((await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(401);
  });

  test.each(DATA)('%s answers with the session', async (path) => {
    const cookie = await session();
    const res = await fetch(`${gw.url}${path}`, { headers: { cookie } });
    expect(res.status).toBe(200);
  });

  test('requests: the log holds each request with key, alias, target, attempts, tokens and cost; no prompt text', async () => {
    const cookie = await session();
    const all = (await (await fetch(`${gw.url}/ui/api/requests`, { headers: { cookie } })).json()) as { data: Record<string, unknown>[] };
    const chats = all.data.filter((r) => r.alias === 'chat');
    expect(chats).toHaveLength(3);
    expect(chats[0]).toMatchObject({ key: 'team-a', provider: 'up', model: 'gpt-4o', status: 200, prompt_tokens: 1000, completion_tokens: 200 });
    expect(chats[0].cost_usd).toBeGreaterThan(0);
    expect(JSON.stringify(all)).not.toContain('secret prompt text');
    // The dashboard's own requests and health probes are not in the log.
    expect(all.data.every((r) => r.endpoint === 'chat')).toBe(true);

    const errorsOnly = (await (await fetch(`${gw.url}/ui/api/requests?status=error`, { headers: { cookie } })).json()) as { data: Record<string, unknown>[] };
    expect(errorsOnly.data.map((r) => r.status)).toEqual([404]);

    const fb = all.data.find((r) => r.alias === 'fb')!;
    const detail = (await (await fetch(`${gw.url}/ui/api/request?id=${String(fb.id)}`, { headers: { cookie } })).json()) as {
      attempts: Record<string, unknown>[];
      content?: unknown;
    };
    expect(detail.attempts).toHaveLength(2);
    expect(detail.attempts[0]).toMatchObject({ provider: 'up', model: 'gpt-4o-broken', status: 500, ok: false });
    expect(detail.attempts[1]).toMatchObject({ provider: 'backup', model: 'gpt-4o-mini', ok: true });
    expect(detail.content).toBeUndefined();
    expect((await fetch(`${gw.url}/ui/api/request?id=nope`, { headers: { cookie } })).status).toBe(404);
  });

  test('overview counts the requests by alias and provider', async () => {
    const cookie = await session();
    const o = (await (await fetch(`${gw.url}/ui/api/overview?range=day`, { headers: { cookie } })).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(o.range).toBe('day');
    expect(o.totals.requests).toBe(5);
    expect(o.totals.errors).toBe(1);
    expect(o.by_alias.find((g: { name: string }) => g.name === 'chat').requests).toBe(3);
    expect(o.by_provider.find((g: { name: string }) => g.name === 'backup').requests).toBe(1);
    expect(o.points).toHaveLength(96);
  });

  test('providers lists every target; the failed one is counted', async () => {
    const cookie = await session();
    const p = (await (await fetch(`${gw.url}/ui/api/providers`, { headers: { cookie } })).json()) as {
      providers: { name: string }[];
      targets: { id: string; aliases: string[] }[];
    };
    expect(p.providers.map((x) => x.name).sort()).toEqual(['backup', 'up']);
    expect(p.targets.map((t) => t.id).sort()).toEqual(['backup/gpt-4o-mini', 'up/gpt-4o', 'up/gpt-4o-broken']);
  });

  test('spend reads the SQLite sink by key, alias, model, provider and day, with budgets; CSV exports it', async () => {
    const cookie = await session();
    const s = (await (await fetch(`${gw.url}/ui/api/spend`, { headers: { cookie } })).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(s.available).toBe(true);
    const teamRow = s.by.key.find((r: { group: string }) => r.group === 'team-a');
    expect(teamRow.requests).toBe(4);
    expect(s.by.alias.map((r: { group: string }) => r.group).sort()).toEqual(['chat', 'fb']);
    expect(s.per_day).toHaveLength(7);
    expect(s.per_day[6].requests).toBe(4);
    expect(s.budgets).toEqual([{ key: 'team-a', period: 'daily', budget_usd: 5, used_usd: teamRow.cost_usd, left_usd: 5 - teamRow.cost_usd }]);
    const csv = await (await fetch(`${gw.url}/ui/api/spend.csv?group_by=alias`, { headers: { cookie } })).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('alias,requests,input_tokens,output_tokens,cached_tokens,cost_usd,unpriced_requests');
    expect(lines.find((l) => l.startsWith('chat,'))).toMatch(/^chat,3,3000,600,0,/);
  });

  test('config: secrets are redacted, hash and load time shown', async () => {
    const cookie = await session();
    const text = await (await fetch(`${gw.url}/ui/api/config`, { headers: { cookie } })).text();
    expect(text).not.toContain(ADMIN_KEY);
    expect(text).not.toContain(TEAM_KEY);
    expect(text).not.toContain(UPSTREAM_KEY);
    const c = JSON.parse(text) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(c.config.providers.up.api_key).toBe('[redacted]');
    expect(c.config.plugins[0].admin_key).toBe('[redacted]');
    expect(c.hash).toMatch(/^[0-9a-f]+$/);
    expect(c.last_reload.ok).toBe(true);
  });

  test('the live stream sends the page data at once, as server-sent events', async () => {
    const cookie = await session();
    const ac = new AbortController();
    const res = await fetch(`${gw.url}/ui/api/events?page=requests&alias=chat`, { headers: { cookie }, signal: ac.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    while (!/event: update\ndata: .*\n\n/.test(text)) text += decoder.decode((await reader.read()).value, { stream: true });
    ac.abort();
    expect(text.startsWith('retry: 1000\n\nevent: update\ndata: ')).toBe(true);
    const start = text.indexOf('data: ') + 'data: '.length;
    const data = JSON.parse(text.slice(start, text.indexOf('\n\n', start))) as { data: { alias: string }[] };
    expect(data.data).toHaveLength(3);
    expect(data.data.every((r) => r.alias === 'chat')).toBe(true);
  });

  test('the bundle and styles are served from the build, with the CSP', async () => {
    const js = await fetch(`${gw.url}/ui/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await js.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${gw.url}/ui/uplot.css`)).status).toBe(200);
  });
});

describe('reloads', () => {
  test('an open event stream ends after a reload, so it never holds the old snapshot', async () => {
    const cookie = await session();
    const res = await fetch(`${gw.url}/ui/api/events?page=config`, { headers: { cookie } });
    const reader = res.body!.getReader();
    await reader.read();
    const reloaded = gw.waitForLog((r) => r.message === 'config reloaded');
    gw.writeConfig(dashboardConfig(fake.url) + '\n# touched\n');
    await reloaded;
    let ended = false;
    while (!ended) ended = (await reader.read()).done;
    expect(ended).toBe(true);
  });

  test('the Config page shows the last rejected reload and its reason; the session survives it', async () => {
    const cookie = await session();
    const rejected = gw.waitForLog((r) => r.message === 'config reload rejected; still serving the previous config');
    gw.writeConfig(dashboardConfig(fake.url).replace('session_ttl_minutes', 'x').replace('enabled: true', 'enabled: "yes"'));
    await rejected;
    const c = (await (await fetch(`${gw.url}/ui/api/config`, { headers: { cookie } })).json()) as { last_reload: { ok: boolean; error: string } };
    expect(c.last_reload.ok).toBe(false);
    expect(c.last_reload.error).toMatch(/proxy\.yaml:\d+:\d+/);
    expect(c.last_reload.error).toContain('enabled');
    expect(c.last_reload.error).not.toContain(ADMIN_KEY);
  });
});

describe('off and content opt-in', () => {
  test('with the dashboard off, /ui is a 404', async () => {
    const f = await startFakeOpenAI();
    const off = await startInProcess({ config: dashboardConfig(f.url, { enabled: false }) });
    try {
      const res = await fetch(`${off.url}/ui`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('dashboard_disabled');
    } finally {
      await off.stop();
      await f.close();
    }
  });

  test('with log_content the detail view holds the prompt and the answer', async () => {
    const f = await startFakeOpenAI();
    const on = await startInProcess({ config: dashboardConfig(f.url, { logContent: true }) });
    try {
      await chat(on.url, { model: 'chat', messages: [{ role: 'user', content: 'opted-in prompt' }] }, team);
      const cookie = (
        await fetch(`${on.url}/ui/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `key=${ADMIN_KEY}`,
        })
      ).headers
        .get('set-cookie')!
        .split(';')[0];
      const list = (await (await fetch(`${on.url}/ui/api/requests`, { headers: { cookie } })).json()) as { data: { id: string }[] };
      const detail = (await (await fetch(`${on.url}/ui/api/request?id=${list.data[0].id}`, { headers: { cookie } })).json()) as {
        content: { request: string };
      };
      expect(detail.content.request).toContain('opted-in prompt');
    } finally {
      await on.stop();
      await f.close();
    }
  });
});
