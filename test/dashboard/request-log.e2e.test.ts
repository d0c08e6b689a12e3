/**
 * The dashboard's request log through the real gateway: requests recorded before a restart are still on the
 * Requests page and in the Overview; two gateways on one SQLite file see each other's traffic; a store that
 * cannot be written never fails a request (and its pages say why with a 503); the recorder fills the record's
 * features, metadata and tokens.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/observability/logger';
import { openRequestLog } from '../../src/stores/request-log/open-request-log';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';
import { chat } from '../helpers/client';
import { ADMIN_KEY, dashboardConfig, TEAM_KEY } from './config';
import { record } from './request-log-contract';

let fake: FakeOpenAI;
const team = { headers: { authorization: `Bearer ${TEAM_KEY}` } };
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-request-log-e2e-'));

beforeAll(async () => {
  fake = await startFakeOpenAI();
  fake.on('gpt-4o', { usage: { prompt_tokens: 1000, completion_tokens: 200, cached_tokens: 300, reasoning_tokens: 40 } });
});
afterAll(async () => {
  await fake?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** The dashboard config with the request log at `store`. */
function configWith(store: string): string {
  return dashboardConfig(fake.url).replace('dashboard: { enabled: true,', `dashboard: { enabled: true, store: "${store}",`);
}

async function session(gw: InProcessGateway): Promise<string> {
  const res = await fetch(`${gw.url}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key: ADMIN_KEY }).toString(),
  });
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0];
}

async function api<T>(gw: InProcessGateway, cookie: string, pathAndQuery: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${gw.url}/ui/api/${pathAndQuery}`, { headers: { cookie } });
  return { status: res.status, body: (await res.json()) as T };
}

type Listed = { data: { id: string; alias?: string; features?: Record<string, unknown>; metadata?: Record<string, string> }[] };
type OverviewBody = { totals: { requests: number }; by_alias: { name: string; requests: number }[] };

test('requests recorded before a restart are on the Requests page and in the Overview after it (same SQLite file)', async () => {
  const dir = path.join(root, 'restart');
  fs.mkdirSync(dir);
  const first = await startInProcess({ config: dashboardConfig(fake.url), dir });
  const sent = await chat(first.url, { model: 'chat', messages: [{ role: 'user', content: 'before the restart' }] }, team);
  expect(sent.status).toBe(200);
  const id = sent.headers.get('x-request-id')!;
  await first.stop();
  // The default store: a file beside the config.
  expect(fs.existsSync(path.join(dir, 'switchyard-requests.db'))).toBe(true);

  const second = await startInProcess({ config: dashboardConfig(fake.url), dir });
  try {
    const cookie = await session(second);
    const listed = await api<Listed>(second, cookie, 'requests');
    expect(listed.body.data.map((r) => r.id)).toEqual([id]);
    const detail = await api<{ id: string; prompt_tokens: number }>(second, cookie, `request?id=${id}`);
    expect(detail.body).toMatchObject({ id, prompt_tokens: 1000 });
    const o = await api<OverviewBody>(second, cookie, 'overview?range=hour');
    expect(o.body.totals.requests).toBe(1);
  } finally {
    await second.stop();
  }
});

test('two gateways on one SQLite file see each other’s requests in the Overview and on the Requests page', async () => {
  const file = path.join(root, 'shared', 'requests.db');
  const a = await startInProcess({ config: configWith(`sqlite://${file}`) });
  const b = await startInProcess({ config: configWith(`sqlite://${file}`) });
  try {
    for (let i = 0; i < 3; i++) expect((await chat(a.url, { model: 'chat', messages: [{ role: 'user', content: 'from a' }] }, team)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await chat(b.url, { model: 'chat', messages: [{ role: 'user', content: 'from b' }] }, team)).status).toBe(200);
    // A page read flushes its own gateway's writer first: reading b's page makes b's records visible to a, and
    // reading a's then makes a's visible to b.
    const cookieB = await session(b);
    expect((await api<Listed>(b, cookieB, 'requests')).body.data.length).toBeGreaterThanOrEqual(2);
    const cookieA = await session(a);
    const o = await api<OverviewBody>(a, cookieA, 'overview?range=day');
    expect(o.body.by_alias).toEqual([expect.objectContaining({ name: 'chat', requests: 5 })]);
    expect((await api<Listed>(b, cookieB, 'requests?alias=chat')).body.data).toHaveLength(5);
    expect((await api<OverviewBody>(b, cookieB, 'overview?range=week')).body.totals.requests).toBe(5);
    // Older pages follow the answer's cursor and together hold every request once.
    const seen: string[] = [];
    let query = 'requests?limit=2';
    for (;;) {
      const page = (await api<Listed & { next: { before: number; before_id: string } | null }>(a, cookieA, query)).body;
      seen.push(...page.data.map((r) => r.id));
      if (!page.next) break;
      query = `requests?limit=2&before=${page.next.before}&before_id=${page.next.before_id}`;
    }
    expect(new Set(seen).size).toBe(5);
    expect(seen).toHaveLength(5);
  } finally {
    await a.stop();
    await b.stop();
  }
});

test('a request log that cannot be written never fails a request; its pages answer 503 saying why', async () => {
  const blocker = path.join(root, 'a-file');
  fs.writeFileSync(blocker, 'not a directory');
  const gw = await startInProcess({ config: configWith(`sqlite://${path.join(blocker, 'requests.db')}`) });
  try {
    for (let i = 0; i < 3; i++) expect((await chat(gw.url, { model: 'chat', messages: [{ role: 'user', content: 'hi' }] }, team)).status).toBe(200);
    const cookie = await session(gw);
    const listed = await api<{ error: { code: string; message: string } }>(gw, cookie, 'requests');
    expect(listed.status).toBe(503);
    expect(listed.body.error.code).toBe('request_log_unavailable');
    expect((await api<{ error: { code: string } }>(gw, cookie, 'overview')).status).toBe(503);
    const warned = gw.logRecords().filter((r) => String(r.message).includes('dashboard request log: write failed'));
    expect(warned.length).toBeGreaterThan(0);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_request_log_failures_total\{store="sqlite",reason="write_failed"\} [1-9]/);
  } finally {
    await gw.stop();
  }
});

test('the record keeps the facts replay needs: features, metadata, cache and reasoning tokens; no text without log_content', async () => {
  const gw = await startInProcess({ config: configWith('memory') });
  try {
    const body = {
      model: 'chat',
      max_tokens: 300,
      response_format: { type: 'json_object' },
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }],
      messages: [{ role: 'user', content: 'secret prompt text, please answer in JSON' }],
    };
    const res = await chat(gw.url, body, { headers: { ...team.headers, 'x-switchyard-metadata': JSON.stringify({ team: 'search' }) } });
    expect(res.status).toBe(200);
    const cookie = await session(gw);
    const r = (await api<Record<string, unknown>>(gw, cookie, `request?id=${res.headers.get('x-request-id')}`)).body;
    expect(r).toMatchObject({
      alias: 'chat',
      key: 'team-a',
      provider: 'up',
      model: 'gpt-4o',
      cached_tokens: 300,
      reasoning_tokens: 40,
      metadata: { team: 'search' },
      features: { has_tools: true, has_images: false, structured_output: true, max_tokens: 300 },
    });
    const features = r.features as { estimated_prompt_tokens: number; complexity: number };
    expect(features.estimated_prompt_tokens).toBeGreaterThan(5);
    expect(features.complexity).toBeGreaterThanOrEqual(0);
    expect(typeof r.ttfb_ms).toBe('number');
    expect(JSON.stringify(r)).not.toContain('secret prompt text');
    const refused = await chat(gw.url, { model: 'nope', messages: [{ role: 'user', content: 'hi' }] }, team);
    const failed = (await api<Record<string, unknown>>(gw, cookie, `request?id=${refused.headers.get('x-request-id')}`)).body;
    expect(failed).toMatchObject({ status: 404, error_code: 'model_not_found' });
  } finally {
    await gw.stop();
  }
});

test('an id search reads a day per page and Older goes on to the day before; a complete id is found at once', async () => {
  const dir = path.join(root, 'search');
  fs.mkdirSync(dir);
  const now = Date.now();
  const seeded = openRequestLog('sqlite://./switchyard-requests.db', dir, createLogger({ silent: true }));
  seeded.append(record({ id: 'req-newest', time: now - 1000 }));
  seeded.append(record({ id: 'req-old-Needle-1', time: now - 3 * 86_400_000 }));
  await seeded.close();
  const gw = await startInProcess({ config: dashboardConfig(fake.url), dir });
  try {
    const cookie = await session(gw);
    type Page = Listed & { next: { before: number; before_id: string } | null; searched_since: number | null };
    const pages: Page[] = [];
    let query = 'requests?q=needle';
    for (;;) {
      const page = (await api<Page>(gw, cookie, query)).body;
      pages.push(page);
      if (!page.next) break;
      query = `requests?q=needle&before=${page.next.before}&before_id=${page.next.before_id}`;
    }
    // Days 0-1 and 1-2 hold no match; 2-3 holds it, and nothing is older, so the search ends there.
    expect(pages.map((p) => p.data.map((r) => r.id))).toEqual([[], [], ['req-old-Needle-1']]);
    expect(pages[0].searched_since).toBe(now - 1000 + 1 - 86_400_000);
    const exact = (await api<Page>(gw, cookie, 'requests?q=req-old-Needle-1')).body;
    expect(exact.data.map((r) => r.id)).toEqual(['req-old-Needle-1']);
  } finally {
    await gw.stop();
  }
});
