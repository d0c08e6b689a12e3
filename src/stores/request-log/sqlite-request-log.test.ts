import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeRequestLog, record, T0 } from '../../../test/dashboard/request-log-contract';
import { createLogger } from '../../observability/logger';
import { BufferedRequestLog } from './buffered-request-log';
import { openRequestLog } from './open-request-log';
import { SqliteRequestEngine } from './sqlite-request-log';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-request-log-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const silent = createLogger({ silent: true });
let n = 0;

describe('SQLite request log', () => {
  describeRequestLog(() => new BufferedRequestLog(new SqliteRequestEngine(path.join(dir, `contract-${n++}.db`)), { log: silent, where: 'test' }));

  test('resolves a relative path against the config directory and keeps records across reopening (a restart)', async () => {
    const first = openRequestLog('sqlite://./data/requests.db', dir, silent);
    first.append(record({ id: 'req_before_restart', alias: 'chat', provider: 'up' }));
    await first.close();
    expect(fs.existsSync(path.join(dir, 'data', 'requests.db'))).toBe(true);
    const second = openRequestLog('sqlite://./data/requests.db', dir, silent);
    expect((await second.get('req_before_restart'))?.alias).toBe('chat');
    expect((await second.overview('hour', T0)).totals.requests).toBe(1);
    await second.close();
  });

  test('two connections on one file (two processes) add to the same rollup cells', async () => {
    const file = path.join(dir, 'shared.db');
    const a = new BufferedRequestLog(new SqliteRequestEngine(file), { log: silent, where: 'a' });
    const b = new BufferedRequestLog(new SqliteRequestEngine(file), { log: silent, where: 'b' });
    for (let i = 0; i < 50; i++) {
      a.append(record({ id: `req_a_${i}`, alias: 'chat', provider: 'up' }));
      b.append(record({ id: `req_b_${i}`, alias: 'chat', provider: 'up' }));
    }
    // The same request reaching both (a retried batch after a lost reply) is still counted once.
    b.append(record({ id: 'req_a_0', alias: 'chat', provider: 'up' }));
    await Promise.all([a.flush(), b.flush()]);
    const o = await a.overview('hour', T0);
    expect(o.by_alias).toEqual([{ name: 'chat', requests: 100, errors: 0, error_rate: 0 }]);
    expect(await b.list({}, 1000)).toHaveLength(100);
    await a.close();
    await b.close();
  });

  test('an unwritable path fails the writes (retried, logged), never the caller, and reads say why', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    fs.writeFileSync(blocker, 'x');
    const problems: string[] = [];
    const logger = createLogger({ silent: true });
    jest.spyOn(logger, 'warn').mockImplementation((message: unknown) => (problems.push(String(message)), logger));
    const log = openRequestLog(`sqlite://${path.join(blocker, 'requests.db')}`, dir, logger);
    expect(() => log.append(record({ id: 'req_lost' }))).not.toThrow();
    await log.flush();
    expect(problems.some((m) => m.includes('write failed'))).toBe(true);
    await expect(log.list({}, 10)).rejects.toThrow();
    await log.close();
  });

  test('an unknown store URL is refused with what is accepted', () => {
    expect(() => openRequestLog('redis://127.0.0.1:6379', dir, silent)).toThrow('server.dashboard.store must be memory, sqlite://PATH or postgres://…');
  });
});
