/**
 * The Replay page's data route through the real gateway: it needs the dashboard session, starts from the running
 * config with its secrets redacted, replays the gateway's own SQLite request log under a posted candidate, and
 * answers a broken candidate with a 400 that names the line.
 */
import type { FakeOpenAI } from '../../src/testing/fake-openai';
import type { ReplayReport } from '../../src/replay/replay';
import type { InProcessGateway } from '../helpers/in-process';
import { ADMIN_KEY, TEAM_KEY, UPSTREAM_KEY } from '../dashboard/config';
import { replayJobsOf, replayRequestOf } from '../../src/dashboard/replay-data';
import type { ReplayJobView } from '../../src/replay/job';
import { CANDIDATE, recordTraffic } from './recorded-gateway';

let fake: FakeOpenAI;
let gw: InProcessGateway;
let cookie: string;

beforeAll(async () => {
  ({ fake, gw } = await recordTraffic(3, 1, { REPLAY_ROUTE_SECRET: 'sk-server-env-secret-0001' }));
  await gw.gateway.snapshot.requestLog!.flush();
  const login = await fetch(`${gw.url}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key: ADMIN_KEY }).toString(),
  });
  cookie = login.headers.get('set-cookie')!.split(';')[0];
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

function post(body: unknown, query = '?since=1d', withSession = true): Promise<Response> {
  return fetch(`${gw.url}/ui/api/replay${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(withSession ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
}

/** Starts a replay, waits for its job to end, and reads the report through the job's GET. */
async function replayed(config: string): Promise<ReplayReport> {
  const res = await post({ config });
  expect(res.status).toBe(202);
  const started = (await res.json()) as { id: string; state: string };
  expect(started.state).toBe('running');
  await replayJobsOf(gw.gateway).settled();
  const job = (await (await fetch(`${gw.url}/ui/api/replay/job`, { headers: { cookie } })).json()) as ReplayJobView;
  expect(job).toMatchObject({ id: started.id, state: 'done' });
  return (job as ReplayJobView & { state: 'done' }).report;
}

describe('/ui/api/replay', () => {
  test('needs the dashboard session, for the template and the replay alike', async () => {
    expect((await fetch(`${gw.url}/ui/api/replay`)).status).toBe(401);
    const res = await post({ config: CANDIDATE }, '?since=1d', false);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('dashboard_login_required');
    expect((await fetch(`${gw.url}/ui/api/replay/job`)).status).toBe(401);
  });

  test('checks the session before the body: a malformed POST without one is a 401, not a 400', async () => {
    const res = await fetch(`${gw.url}/ui/api/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"config": [not json' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('dashboard_login_required');
  });

  test('the last report is kept for the next visit (a reload) until another replay starts', async () => {
    const first = await replayed(CANDIDATE);
    const again = (await (await fetch(`${gw.url}/ui/api/replay/job`, { headers: { cookie } })).json()) as ReplayJobView & { state: 'done' };
    expect(again.report).toEqual(first);
  });

  test('GET starts from the running config as YAML, with its secrets redacted', async () => {
    const res = await fetch(`${gw.url}/ui/api/replay`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { config: string; since: string };
    expect(body.since).toBe('7d');
    expect(body.config).toContain('gpt-4o-broken');
    expect(body.config).toContain('[redacted]');
    expect(body.config).not.toContain(UPSTREAM_KEY);
    expect(body.config).not.toContain(ADMIN_KEY);
    expect(body.config).not.toContain(TEAM_KEY);
  });

  test('POST answers at once with a job, and the job’s GET gives its report when it is done', async () => {
    const report = await replayed(CANDIDATE);
    expect(report.records).toBe(4);
    const chatAlias = report.aliases.find((a) => a.alias === 'chat')!;
    // 3 × (1000 × 0.15 + 200 × 0.6) µ$ = $0.00081, against 3 × 4500 µ$ = $0.0135 recorded.
    expect(chatAlias.candidate.cost_usd).toBe(0.00081);
    expect(chatAlias.actual.cost_usd).toBeCloseTo(0.0135, 9);
    expect(report.aliases.find((a) => a.alias === 'fb')!.actual.attempt_failures).toEqual({ '500': 1 });
    expect(report.candidate.file).toBe('candidate.yaml');
  });

  test('a candidate cannot read the server’s environment into the answer', async () => {
    const leaky = CANDIDATE.replace(
      '  chat: { targets: [ { provider: up, model: gpt-4o-mini } ] }',
      '  chat: { targets: [ { provider: up, model: "m-${REPLAY_ROUTE_SECRET}" } ] }',
    );
    expect(leaky).toContain('REPLAY_ROUTE_SECRET');
    expect((await post({ config: leaky })).status).toBe(202);
    await replayJobsOf(gw.gateway).settled();
    const text = await (await fetch(`${gw.url}/ui/api/replay/job`, { headers: { cookie } })).text();
    expect(text).toContain('"state":"done"');
    expect(text).not.toContain('sk-server-env-secret-0001');
    expect(text).toContain('REPLAY_ROUTE_SECRET');
  });

  test('a broken candidate is a 400 naming the line and column', async () => {
    const res = await post({
      config: 'providers:\n  up: { api: openai, base_url: "http://x" }\nmodels:\n  chat: { targets: [ { provider: nowhere, model: m } ] }\n',
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string; param: string } };
    expect(error.code).toBe('replay_bad_candidate');
    expect(error.param).toBe('config');
    expect(error.message).toMatch(/candidate\.yaml:4:\d+: .*nowhere/);
  });

  test('YAML that does not parse is a 400 with its line', async () => {
    const res = await post({ config: 'providers:\n  up: { api: openai\nmodels: [' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^The candidate config is invalid: candidate\.yaml:3:1: \(root\): YAML syntax: /,
    );
  });

  test('a body without a config, or a window that does not parse, is a 400', async () => {
    const missing = await post({ since: '1d' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('replay_bad_request');
    const window = await post({ config: CANDIDATE }, '?since=yesterday');
    expect(window.status).toBe(400);
    expect(((await window.json()) as { error: { param: string } }).error.param).toBe('since');
  });
});

describe('the posted candidate', () => {
  test('stays out of a log line of the request body (it may carry keys)', () => {
    const body = replayRequestOf({ config: 'providers:\n  a: { api_key: sk-pasted-0001 }\n', since: '1d' });
    expect(body.config).toContain('sk-pasted-0001');
    expect(JSON.stringify(body)).not.toContain('sk-pasted-0001');
  });
});
