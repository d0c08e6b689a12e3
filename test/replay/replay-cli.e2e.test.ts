/**
 * `switchyard replay` end to end: a real gateway (in process) records traffic to its SQLite request log against
 * the fake OpenAI upstream (the dashboard tests’ gateway), stops, and the CLI (dist/cli.js, a separate process)
 * replays the log under a candidate config that moves an alias to a cheaper model and drops a failing target.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FakeOpenAI } from '../../src/testing/fake-openai';
import type { ReplayReport } from '../../src/replay/replay';
import { UPSTREAM_KEY } from '../dashboard/config';
import { chat } from '../helpers/client';
import { startInProcess } from '../helpers/in-process';
import { CANDIDATE, recordTraffic } from './recorded-gateway';

const cli = path.resolve(__dirname, '../../dist/cli.js');
let fake: FakeOpenAI;
let dir: string;

function replayCli(args: string[], cwd = dir) {
  return spawnSync(process.execPath, [cli, 'replay', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, OPENAI_API_KEY: 'sk-never-in-the-report' },
  });
}

beforeAll(async () => {
  const recorded = await recordTraffic(5, 2);
  fake = recorded.fake;
  const gw = recorded.gw;
  dir = gw.dir;
  // Stopping drains the gateway and flushes the request log to the SQLite file.
  await gw.stop();
  writeFileSync(path.join(dir, 'candidate.yaml'), CANDIDATE);
});
afterAll(async () => {
  await fake?.close();
});

describe('switchyard replay', () => {
  test('--json reports, per alias, the candidate’s cost beside what the recorded traffic cost', () => {
    const r = replayCli(['--since', '1d', '--config', 'candidate.yaml', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as ReplayReport;
    expect(report.records).toBe(7);
    const chatAlias = report.aliases.find((a) => a.alias === 'chat')!;
    // Actual: 5 × (1000 × 2.5 + 200 × 10) µ$ = $0.0225; candidate: 5 × (1000 × 0.15 + 200 × 0.6) µ$ = $0.00135.
    expect(chatAlias.actual.cost_usd).toBeCloseTo(0.0225, 9);
    expect(chatAlias.candidate.cost_usd).toBe(0.00135);
    expect(chatAlias.candidate.served_by).toEqual({ 'up/gpt-4o-mini': 5 });
    const fb = report.aliases.find((a) => a.alias === 'fb')!;
    // The recorded fallback met a 500 on every request; the candidate goes straight to the target that answered.
    expect(fb.actual.attempt_failures).toEqual({ '500': 2 });
    expect(fb.candidate.attempt_failures).toEqual({});
    // 2 × (500 × 0.15 + 50 × 0.6) µ$ = $0.00021, the same target and tokens as recorded.
    expect(fb.candidate.cost_usd).toBe(0.00021);
    expect(fb.actual.cost_usd).toBeCloseTo(0.00021, 9);
    expect(report.total.candidate.failed).toBe(0);
    expect(report.assumptions.join('\n')).toContain('Output tokens are taken from the served model');
    expect(report.assumptions.join('\n')).toContain('(OPENAI_API_KEY)');
    expect(r.stdout).not.toContain('sk-never-in-the-report');
    expect(r.stdout).not.toContain(UPSTREAM_KEY);
  });

  test('prints a table by default, reading the store named by the running config', () => {
    const r = replayCli(['--since', '1d', '--config', 'candidate.yaml', '--current', 'proxy.yaml']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^chat +5 +\$0\.022500 +\$0\.001350 +-\$0\.021150 /m);
    expect(r.stdout).toContain('Assumptions:');
  });

  test('a broken candidate exits 1 with FILE:LINE:COL', () => {
    writeFileSync(
      path.join(dir, 'broken.yaml'),
      'providers:\n  up: { api: openai, base_url: "http://x" }\nmodels:\n  chat: { targets: [ { provider: nowhere, model: m } ] }\n',
    );
    const r = replayCli(['--since', '1d', '--config', 'broken.yaml']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/broken\.yaml:4:\d+: .*nowhere/);
    expect(r.stderr).toContain('the candidate config is invalid');
  });

  test('a store that is not there exits 1 and says where it looked', () => {
    const r = replayCli(['--since', '1d', '--config', 'candidate.yaml', '--store', 'missing.db']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`no request log at ${path.join(dir, 'missing.db')}`);
  });

  test('an unreachable PostgreSQL store exits 1 with a clear message', () => {
    const r = replayCli(['--since', '1d', '--config', 'candidate.yaml', '--store', 'postgres://postgres@127.0.0.1:1/test']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^switchyard replay: cannot read the request log postgres:\/\/127\.0\.0\.1:1\/test: /);
  });

  test('a window that does not parse exits 1 naming the flag', () => {
    const r = replayCli(['--since', 'last tuesday', '--config', 'candidate.yaml']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--since: "last tuesday" is neither a duration');
  });

  test('a gateway that records with the pages off (record: true, no admin key) has traffic to replay', async () => {
    const gw = await startInProcess({
      config: `
server:
  dashboard: { enabled: false, record: true }
providers:
  up: { api: openai, base_url: "${fake.url}", api_key: "${UPSTREAM_KEY}" }
models:
  chat: { targets: [ { provider: up, model: gpt-4o } ] }
`,
    });
    for (let i = 0; i < 3; i++) expect((await chat(gw.url, { model: 'chat', messages: [{ role: 'user', content: 'hello' }] })).status).toBe(200);
    // The pages are not served: recording alone needs no admin key.
    expect((await fetch(`${gw.url}/ui`)).status).toBe(404);
    await gw.stop();
    writeFileSync(path.join(gw.dir, 'candidate.yaml'), CANDIDATE);
    const r = replayCli(['--since', '1d', '--config', 'candidate.yaml', '--json'], gw.dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as ReplayReport;
    expect(report.records).toBe(3);
    expect(report.aliases.find((a) => a.alias === 'chat')!.candidate.served_by).toEqual({ 'up/gpt-4o-mini': 3 });
  });
});
