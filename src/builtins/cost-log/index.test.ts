import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { GatewayError } from '../../errors';
import type { PluginHooks, RequestContext, RequestOutcome } from '../../pipeline/types';
import type { ChatCompletion, Usage } from '../../providers/openai-types';
import { describeWithService, dropPostgresTable, scratchTable, POSTGRES_URL, REDIS_URL } from '../../../test/helpers/services';
import { requestContext, testEnv, type TestEnv } from '../../../test/helpers/plugin-harness';
import { periodWindow } from './budget-period';
import { costLogPlugin, formatUsd, type CostLogOptions } from './index';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-cost-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const envs: TestEnv[] = [];
afterEach(async () => {
  for (const env of envs.splice(0)) await env.dispose();
});

const config = {
  pricing: { 'deepseek-chat': { input: 0.27, output: 1.1, cached_input: 0.07 } },
  plugins: [{ use: 'auth', admin_key: 'admin-secret' }, { use: 'cost-log' }],
};

async function costLog(options: CostLogOptions, env: TestEnv = testEnv(config, tmp)): Promise<{ hooks: PluginHooks; env: TestEnv }> {
  envs.push(env);
  return { hooks: await costLogPlugin.create(options, env), env };
}

let dbCounter = 0;
function sqliteSink(): { url: string; file: string } {
  const file = path.join(tmp, `spend-${++dbCounter}.db`);
  return { url: `sqlite://${file}`, file };
}

function completion(model: string, usage: Usage): ChatCompletion {
  return {
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage,
  };
}

interface Served {
  key?: string;
  limits?: { budgetUsd?: number; budgetPeriod?: 'daily' | 'monthly' | 'total' };
  stream?: boolean;
  attempts?: { provider: string; model: string; ok: boolean; status: number }[];
  cacheHit?: boolean;
  usage?: Usage;
}

/** Plays one request through the plugin as the server would. */
async function serve(hooks: PluginHooks, s: Served): Promise<RequestContext> {
  const ctx = requestContext({ keyName: s.key ?? 'team-a', stream: s.stream, body: { model: 'chat', stream: s.stream } });
  if (s.limits) ctx.set('callerLimits', s.limits);
  await hooks.onRequest!(ctx);
  const attempts = s.attempts ?? [];
  for (const a of attempts) ctx.attempts.push({ alias: 'chat', provider: a.provider, model: a.model, status: a.status, ok: a.ok, latencyMs: 10 });
  let response: ChatCompletion | undefined;
  if (s.cacheHit) {
    ctx.set('cache', 'hit');
    response = completion('gpt-4o', s.usage ?? { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 });
  } else {
    const last = attempts[attempts.length - 1];
    ctx.servedBy = { alias: 'chat', provider: last.provider, model: last.model };
    response = completion(last.model, s.usage!);
    if (!s.stream && response.usage) hooks.onUsage!(ctx, response.usage);
  }
  const outcome: RequestOutcome = { status: 200, completed: true, response, usage: response.usage, latencyMs: 42 };
  await hooks.onComplete!(ctx, outcome);
  return ctx;
}

const ok = (provider: string, model: string) => ({ provider, model, ok: true, status: 200 });

function rows(file: string): Record<string, unknown>[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT * FROM spend ORDER BY rowid').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

describe('cost-log plugin', () => {
  it('prices a table of usage cases to the micro-dollar and writes one SQLite row each', async () => {
    const sink = sqliteSink();
    const { hooks, env } = await costLog({ sink: sink.url });
    const cases: { name: string; served: Served; usd: number; header?: string }[] = [
      // 1000 × 2.5 + 200 × 10 = 4500 µ$
      {
        name: 'plain',
        served: { attempts: [ok('openai', 'gpt-4o')], usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 } },
        usd: 0.0045,
        header: '0.0045',
      },
      // (1234 − 1000) × 0.27 + 1000 × 0.07 + 567 × 1.1 = 756.88 µ$ (config price)
      {
        name: 'cached tokens',
        served: {
          attempts: [ok('deepseek', 'deepseek-chat')],
          usage: { prompt_tokens: 1234, completion_tokens: 567, total_tokens: 1801, prompt_tokens_details: { cached_tokens: 1000 } },
        },
        usd: 0.00075688,
        header: '0.00075688',
      },
      // 500 × 0.15 + 1500 × 0.075 + 300 × 0.6 = 367.5 µ$
      {
        name: 'streaming',
        served: {
          stream: true,
          attempts: [ok('openai', 'gpt-4o-mini')],
          usage: { prompt_tokens: 2000, completion_tokens: 300, total_tokens: 2300, prompt_tokens_details: { cached_tokens: 1500 } },
        },
        usd: 0.0003675,
      },
      { name: 'cache hit', served: { cacheHit: true }, usd: 0 },
      // Failed on openai, answered by claude-3-5-haiku: 800 × 0.8 + 100 × 4 = 1040 µ$
      {
        name: 'failed then fallback',
        served: {
          attempts: [{ provider: 'openai', model: 'gpt-4o', ok: false, status: 500 }, ok('anthropic', 'claude-3-5-haiku-20241022')],
          usage: { prompt_tokens: 800, completion_tokens: 100, total_tokens: 900 },
        },
        usd: 0.00104,
        header: '0.00104',
      },
    ];
    for (const c of cases) {
      const ctx = await serve(hooks, c.served);
      expect({ case: c.name, cost: ctx.get('costUsd'), logged: ctx.logFields?.cost_usd }).toEqual({ case: c.name, cost: c.usd, logged: c.usd });
      expect({ case: c.name, header: ctx.responseHeaders['x-switchyard-cost-usd'] }).toEqual({ case: c.name, header: c.header });
    }
    await env.dispose();
    const written = rows(sink.file);
    expect(written.map((r) => r.cost_usd)).toEqual([0.0045, 0.00075688, 0.0003675, 0, 0.00104]);
    expect(written[1]).toMatchObject({
      key_name: 'team-a',
      alias: 'chat',
      provider: 'deepseek',
      model: 'deepseek-chat',
      input_tokens: 1234,
      output_tokens: 567,
      cached_tokens: 1000,
      status: 200,
      attempts: 1,
      cache_hit: 0,
      latency_ms: 42,
    });
    expect(written[3]).toMatchObject({ cache_hit: 1, input_tokens: 0, output_tokens: 0, provider: null });
    expect(written[4]).toMatchObject({ attempts: 2, provider: 'anthropic' });
  });

  it('records an unknown model with cost null and a warning, never a guess', async () => {
    const sink = sqliteSink();
    const env = testEnv(config, tmp);
    const warn = jest.spyOn(env.log, 'warn');
    const { hooks } = await costLog({ sink: sink.url }, env);
    const ctx = await serve(hooks, { attempts: [ok('local', 'my-finetune')], usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 } });
    await serve(hooks, { attempts: [ok('local', 'my-finetune')], usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 } });
    expect(ctx.get('costUsd')).toBeNull();
    expect(ctx.responseHeaders['x-switchyard-cost-usd']).toBeUndefined();
    // winston's warn is overloaded and jest types the spy by its last overload (one object), so the message is narrowed from unknown.
    expect(warn.mock.calls.filter(([m]: unknown[]) => typeof m === 'string' && m.includes('no price'))).toHaveLength(1);
    await env.dispose();
    expect(rows(sink.file).map((r) => r.cost_usd)).toEqual([null, null]);
  });

  it('answers 429 insufficient_quota once a key used its budget, naming the budget', async () => {
    const { hooks } = await costLog({ sink: sqliteSink().url });
    const limits = { budgetUsd: 0.01, budgetPeriod: 'daily' as const };
    const costly = { limits, attempts: [ok('openai', 'gpt-4o')], usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 } };
    await serve(hooks, costly);
    await serve(hooks, costly);
    await serve(hooks, costly); // 0.0135 spent now
    let err: unknown;
    try {
      await serve(hooks, costly);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ status: 429, type: 'insufficient_quota', code: 'insufficient_quota' });
    expect((err as Error).message).toMatch(/"team-a" has used its daily budget of \$0.01 \(spent \$0.013500 since \d{4}-\d{2}-\d{2}\)/);
    // Another key is not affected.
    await serve(hooks, { ...costly, key: 'team-b' });
  });

  it('remembers spend across a restart (restored from the sink)', async () => {
    const sink = sqliteSink();
    const limits = { budgetUsd: 0.004, budgetPeriod: 'monthly' as const };
    const costly = { limits, attempts: [ok('openai', 'gpt-4o')], usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 } };
    const first = await costLog({ sink: sink.url });
    await serve(first.hooks, costly);
    await first.env.dispose();

    const second = await costLog({ sink: sink.url });
    await expect(serve(second.hooks, costly)).rejects.toMatchObject({ code: 'insufficient_quota' });
  });

  it('never waits for a sink that accepts the connection and then never answers', async () => {
    // If a request waited on the sink, this one would never finish (the test would time out): no clock needed.
    const held: net.Socket[] = [];
    const silent = net.createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { hooks, env } = await costLog({ sink: `postgres://postgres@127.0.0.1:${(silent.address() as AddressInfo).port}/none`, max_buffer: 2 });
    for (let i = 0; i < 4; i++) await serve(hooks, { attempts: [ok('openai', 'gpt-4o')], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    for (const socket of held) socket.destroy();
    silent.close();
    await env.dispose();
  });

  it('never fails a request when the sink is down, and counts what it drops', async () => {
    const { hooks, env } = await costLog({ sink: 'postgres://postgres@127.0.0.1:1/none', max_buffer: 2 });
    for (let i = 0; i < 4; i++) await serve(hooks, { attempts: [ok('openai', 'gpt-4o')], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    const route = hooks.routes![0];
    // Totals need the database (the request path never did): 503, saying what waits and what was dropped.
    await expect(route.handle({ headers: { authorization: 'Bearer admin-secret' }, query: {}, body: undefined })).rejects.toMatchObject({
      status: 503,
      message: expect.stringContaining('2 records wait to be written, 2 were dropped'),
    });
    await env.dispose();
  });

  it('serves GET /admin/spend totals to the admin key only', async () => {
    const { hooks } = await costLog({ sink: sqliteSink().url });
    await serve(hooks, { attempts: [ok('openai', 'gpt-4o')], usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 } });
    await serve(hooks, {
      key: 'team-b',
      attempts: [ok('deepseek', 'deepseek-chat')],
      usage: { prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 },
    });
    const route = hooks.routes!.find((r) => r.path === '/admin/spend')!;
    await expect(route.handle({ headers: {}, query: {}, body: undefined })).rejects.toMatchObject({ status: 401 });
    await expect(route.handle({ headers: { authorization: 'Bearer wrong' }, query: {}, body: undefined })).rejects.toMatchObject({ status: 401 });
    await expect(route.handle({ headers: { authorization: 'Bearer admin-secret' }, query: { group_by: 'color' }, body: undefined })).rejects.toMatchObject({
      status: 400,
    });

    const res = await route.handle({
      headers: { authorization: 'Bearer admin-secret' },
      query: { group_by: 'key', since: new Date(Date.now() - 60_000).toISOString() },
      body: undefined,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      group_by: 'key',
      // 0.0045 + (1000 × 0.27 + 1000 × 1.1) µ$ = 0.0045 + 0.00137
      total_cost_usd: 0.00587,
      data: [
        { group: 'team-a', requests: 1, cost_usd: 0.0045 },
        { group: 'team-b', requests: 1, cost_usd: 0.00137 },
      ],
    });
    const byModel = await route.handle({ headers: { 'x-api-key': 'admin-secret' }, query: { group_by: 'model', until: '0' }, body: undefined });
    expect(byModel.body).toMatchObject({ data: [] });
  });

  it('turns admin endpoints off when no admin key is configured', async () => {
    const { hooks } = await costLog({ sink: sqliteSink().url }, testEnv({}, tmp));
    await expect(hooks.routes![0].handle({ headers: { authorization: 'Bearer x' }, query: {}, body: undefined })).rejects.toMatchObject({ status: 403 });
  });
});

describe('cost helpers', () => {
  it('writes USD without exponent notation', () => {
    expect(formatUsd(0.0000045)).toBe('0.0000045');
    expect(formatUsd(0)).toBe('0');
    expect(formatUsd(12.5)).toBe('12.5');
  });

  it('starts budget periods at UTC midnight and on the first of the month', () => {
    const now = Date.UTC(2026, 10, 28, 15, 30);
    expect(periodWindow('daily', now)).toMatchObject({ id: 'd2026-11-28', start: Date.UTC(2026, 10, 28) });
    expect(periodWindow('monthly', now)).toMatchObject({ id: 'm2026-11', start: Date.UTC(2026, 10, 1) });
    expect(periodWindow('total', now)).toMatchObject({ id: 'total', start: 0 });
    expect(periodWindow('total', now).ttlMs).toBeUndefined();
  });
});

describeWithService(['postgres'], 'cost-log plugin with PostgreSQL', () => {
  const table = scratchTable('spend_plugin');
  afterAll(() => dropPostgresTable(table));

  it('writes spend rows to PostgreSQL and restores budgets from them', async () => {
    const url = `${POSTGRES_URL}?table=${table}`;
    const limits = { budgetUsd: 0.004, budgetPeriod: 'total' as const };
    const first = await costLog({ sink: url });
    await serve(first.hooks, {
      limits,
      attempts: [ok('deepseek', 'deepseek-chat')],
      usage: { prompt_tokens: 1234, completion_tokens: 567, total_tokens: 1801, prompt_tokens_details: { cached_tokens: 1000 } },
    });
    await serve(first.hooks, { limits, attempts: [ok('openai', 'gpt-4o')], usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 } });
    await first.env.dispose();

    const client = new Client({ connectionString: POSTGRES_URL });
    await client.connect();
    const result = await client.query(`SELECT key_name, model, cost_usd, cached_tokens, cache_hit FROM ${table} ORDER BY cost_usd`);
    await client.end();
    expect(result.rows).toEqual([
      { key_name: 'team-a', model: 'deepseek-chat', cost_usd: 0.00075688, cached_tokens: 1000, cache_hit: false },
      { key_name: 'team-a', model: 'gpt-4o', cost_usd: 0.0045, cached_tokens: 0, cache_hit: false },
    ]);

    const second = await costLog({ sink: url });
    await expect(
      serve(second.hooks, { limits, attempts: [ok('openai', 'gpt-4o')], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
    ).rejects.toMatchObject({ code: 'insufficient_quota' });
  });
});

describeWithService(['redis'], 'cost-log budgets shared through Redis', () => {
  it("two instances see each other's spend", async () => {
    const key = `shared-${Date.now()}`;
    const limits = { budgetUsd: 0.005, budgetPeriod: 'daily' as const };
    const costly = { key, limits, attempts: [ok('openai', 'gpt-4o')], usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 } };
    const a = await costLog({ sink: sqliteSink().url, budget_store: REDIS_URL });
    const b = await costLog({ sink: sqliteSink().url, budget_store: REDIS_URL });
    await new Promise((r) => setTimeout(r, 200));
    await serve(a.hooks, costly);
    await serve(b.hooks, costly); // 0.009 spent in total, over 0.005
    await expect(serve(a.hooks, costly)).rejects.toMatchObject({ code: 'insufficient_quota' });
  });
});
