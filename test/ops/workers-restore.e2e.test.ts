/**
 * With `--workers 2` a key's spend is restored from the spend sink once, by the first worker that sees the key:
 * the others find its counter in the primary, or wait for it when they ask at the same time. The sink's reads are counted on the wire, by a proxy in front of
 * PostgreSQL that counts the restore's query.
 */
import net from 'node:net';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { chat } from '../helpers/client';
import type { Daemon } from '../helpers/daemon';
import { describeWithService, POSTGRES_URL } from '../helpers/services';
import { startTwoWorkers, workersThatAnswered } from './workers-pid-plugin';

const KEY = 'restore-once-key-0001';
const AT_ONCE_KEY = 'restore-once-key-0002';
const RESTORE_QUERY = 'AS cost FROM'; // costSince's SELECT, and no other statement of the sink

/** A TCP proxy to PostgreSQL that counts the restore queries the clients send. */
async function countingProxy(target: URL) {
  const counter = { reads: 0, server: net.createServer() };
  counter.server.on('connection', (client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    client.on('data', (chunk: Buffer) => {
      counter.reads += chunk.toString('latin1').split(RESTORE_QUERY).length - 1;
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => counter.server.listen(0, '127.0.0.1', r));
  return { counter, port: (counter.server.address() as net.AddressInfo).port };
}

describeWithService(['postgres'], 'spend restore with workers', () => {
  let fake: FakeOpenAI;
  let gw: Daemon;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    const pg = new URL(POSTGRES_URL);
    proxy = await countingProxy(pg);
    const sink = `postgres://${pg.username}@127.0.0.1:${proxy.port}${pg.pathname}?table=workers_restore_${process.pid}`;
    const config = `
providers:
  up: { api: openai, base_url: "${fake.url}", api_key: "sk-upstream-restore" }
models:
  chat: { targets: [ { provider: up, model: gpt-4o } ] }
plugins:
  - use: ./pid.js
  - use: auth
    keys:
      - { name: once, key: "${KEY}", budget_usd: 1, budget_period: daily }
      - { name: at-once, key: "${AT_ONCE_KEY}", budget_usd: 1, budget_period: daily }
  - use: cost-log
    sink: "${sink}"
`;
    gw = await startTwoWorkers(config);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    proxy?.counter.server.close();
  });

  test('the first worker to see a key reads its spend from the sink; the other does not read it again', async () => {
    const answers: Response[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await chat(gw.url, { model: 'chat' }, { headers: { authorization: `Bearer ${KEY}`, connection: 'close' } });
      expect(res.status).toBe(200);
      answers.push(res);
    }
    expect(workersThatAnswered(answers)).toBe(2);
    expect(proxy.counter.reads).toBe(1);
  }, 30_000);

  test('two first requests for a key at once, one on each worker, read the sink once: the second waits for the first', async () => {
    const before = proxy.counter.reads;
    const ask = () => chat(gw.url, { model: 'chat' }, { headers: { authorization: `Bearer ${AT_ONCE_KEY}`, connection: 'close' } });
    const answers = await Promise.all([ask(), ask()]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(workersThatAnswered(answers)).toBe(2);
    expect(proxy.counter.reads - before).toBe(1);
  }, 30_000);
});
