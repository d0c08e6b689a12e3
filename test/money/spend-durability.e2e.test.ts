/**
 * Spend rows that survive what stores and processes do: a gateway killed with SIGKILL right after its answer,
 * a SQLite file another process keeps locked, PostgreSQL connections reset just after a batch committed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { chat, eventually, readSse } from '../helpers/client';
import { startDaemon } from '../helpers/daemon';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';
import { describeWithService, dropPostgresTable, scratchTable, POSTGRES_URL } from '../helpers/services';

const admin = { authorization: 'Bearer admin-key-0001' };
const capped = { headers: { authorization: 'Bearer capped-key-0001' } };

function config(upstream: string, costLog: string): string {
  return `
providers:
  up: { api: openai, base_url: "${upstream}", api_key: "sk-upstream-test" }
models:
  chat: { targets: [ { provider: up, model: gpt-4o } ] }
plugins:
  - use: auth
    admin_key: "admin-key-0001"
    keys:
      - { name: capped, key: "capped-key-0001", budget_usd: 0.004, budget_period: daily }
      - { name: team-b, key: "team-b-key-0001" }
  - use: cost-log
${costLog
  .trim()
  .split('\n')
  .map((l) => `    ${l.trim()}`)
  .join('\n')}
`;
}

interface SpendAnswer {
  total_cost_usd: number;
  data: { key: string; requests: number; cost_pico: string }[];
  sink: { pending_records: number };
}

async function spend(url: string): Promise<SpendAnswer> {
  const res = await fetch(`${url}/admin/spend?group_by=key`, { headers: admin });
  expect(res.status).toBe(200);
  return (await res.json()) as SpendAnswer;
}

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  // 1000 × $2.50/M + 200 × $10/M = $0.0045, more than the key's $0.004 budget.
  fake.on('gpt-4o', { usage: { prompt_tokens: 1000, completion_tokens: 200 } });
});
afterAll(() => fake.close());

describe('a gateway killed with SIGKILL right after it answered', () => {
  // The batch would be written an hour later: only the journal can keep the row.
  const costLog = `sink: sqlite://./spend.db\nflush_interval_ms: 3600000`;

  for (const stream of [false, true]) {
    test(`keeps the ${stream ? 'streamed' : 'JSON'} answer's spend row and its budget charge`, async () => {
      const first = await startDaemon({ config: config(fake.url, costLog) });
      const res = await chat(first.url, { model: 'chat', stream, messages: [{ role: 'user', content: `kill ${stream}` }] }, capped);
      expect(res.status).toBe(200);
      if (stream) expect((await readSse(res)).at(-1)).toBe('[DONE]');
      else await res.json();
      await first.stop('SIGKILL');

      const second = await startDaemon({ config: config(fake.url, costLog), dir: first.dir });
      try {
        const after = await spend(second.url);
        expect(after.data).toEqual([expect.objectContaining({ key: 'capped', requests: 1, cost_pico: '4500000000' })]);
        // The budget counts it: $0.0045 of $0.004 is spent, so the key is refused.
        const refused = await chat(second.url, { model: 'chat', messages: [{ role: 'user', content: 'more' }] }, capped);
        expect(refused.status).toBe(429);
        expect(((await refused.json()) as { error: { type: string } }).error.type).toBe('insufficient_quota');
      } finally {
        await second.stop();
      }
    });
  }
});

/** A second process holding SQLite's write lock (`BEGIN EXCLUSIVE`) until told to let go. */
async function holdWriteLock(file: string): Promise<{ release(): Promise<void>; proc: ChildProcess }> {
  const script = `
    const db = new (require(${JSON.stringify(require.resolve('better-sqlite3'))}))(${JSON.stringify(file)});
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('locked\\n');
    process.stdin.once('data', () => { db.exec('COMMIT'); db.close(); process.stdout.write('released\\n'); process.exit(0); });`;
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.once('data', (b: Buffer) => (b.toString().includes('locked') ? resolve() : reject(new Error(b.toString()))));
    proc.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return {
    proc,
    release: () =>
      new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.stdin!.write('go\n');
      }),
  };
}

describe('a SQLite file another process keeps locked', () => {
  let gw: InProcessGateway;
  afterEach(() => gw?.stop());

  test('delays no request: they are answered while the lock is held, and their rows arrive once it is released', async () => {
    // A writer that waits ten minutes for the lock: on the event loop, that would stall every request for as long.
    gw = await startInProcess({ config: config(fake.url, `sink: sqlite://./spend.db?busy_timeout_ms=600000\nflush_interval_ms: 1\njournal: false`) });
    expect((await spend(gw.url)).data).toEqual([]); // creates the table before the lock is taken

    const lock = await holdWriteLock(path.join(gw.dir, 'spend.db'));
    const answered: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer team-b-key-0001' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: `locked ${i}` }] }),
      });
      answered.push(res.status);
      await res.text();
      // GET /admin/spend flushes the writer: a write is now waiting for the lock, in its worker.
      const during = await spend(gw.url);
      expect(during.data).toEqual([]);
      expect(during.sink.pending_records).toBe(i + 1);
    }
    expect(answered).toEqual([200, 200, 200, 200, 200]);
    expect(lock.proc.exitCode).toBeNull(); // still holding the lock

    await lock.release();
    await eventually(async () => (await spend(gw.url)).data[0]?.requests === 5);
    expect((await spend(gw.url)).data).toEqual([expect.objectContaining({ key: 'team-b', requests: 5, cost_pico: String(5 * 4_500_000_000) })]);
  });
});

/**
 * A loopback TCP proxy in front of PostgreSQL that, while armed, cuts both connections at the moment the server
 * reports an INSERT done: the batch committed, but the gateway only sees a reset, and retries it.
 */
async function resettingProxy(target: URL): Promise<{ port: number; cuts: number; arm(n: number): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const state = { armed: 0, cuts: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port || 5432) });
    sockets.add(client).add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (b) => upstream.write(b));
    upstream.on('data', (b) => {
      if (state.armed > 0 && b.includes('INSERT 0 ')) {
        state.armed--;
        state.cuts++;
        return cut();
      }
      client.write(b);
    });
    client.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', cut);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get cuts() {
      return state.cuts;
    },
    arm: (n) => (state.armed = n),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describeWithService(['postgres'], 'PostgreSQL connections reset after a batch committed', () => {
  const table = scratchTable('spend_resets');
  afterAll(() => dropPostgresTable(table));

  test('retried batches never duplicate a row: one row per request', async () => {
    const target = new URL(POSTGRES_URL);
    const proxy = await resettingProxy(target);
    const url = `postgres://${target.username}@127.0.0.1:${proxy.port}${target.pathname}?table=${table}`;
    const gw = await startInProcess({ config: config(fake.url, `sink: ${url}\nflush_interval_ms: 1\njournal: false`) });
    try {
      expect((await spend(gw.url)).data).toEqual([]); // the table exists before the cuts start
      proxy.arm(3);
      const requests = 40;
      await Promise.all(
        Array.from({ length: requests }, async (_, i) => {
          const res = await fetch(`${gw.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer team-b-key-0001' },
            body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: `reset ${i}` }] }),
          });
          expect(res.status).toBe(200);
          await res.text();
        }),
      );
      await eventually(async () => (await spend(gw.url)).sink.pending_records === 0, 20_000);
      expect(proxy.cuts).toBe(3);
      const client = new Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT COUNT(*)::int AS n, COUNT(DISTINCT request_id)::int AS ids FROM ${table}`);
        expect(rows[0]).toEqual({ n: requests, ids: requests });
      } finally {
        await client.end();
      }
      expect((await spend(gw.url)).data).toEqual([expect.objectContaining({ key: 'team-b', requests, cost_pico: String(requests * 4_500_000_000) })]);
    } finally {
      await gw.stop();
      await proxy.close();
    }
  });
});
