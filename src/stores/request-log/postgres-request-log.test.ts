import { Pool } from 'pg';
import { describeRequestLog, record, T0 } from '../../../test/dashboard/request-log-contract';
import { describeWithService, POSTGRES_URL } from '../../../test/helpers/services';
import { createLogger } from '../../observability/logger';
import { BufferedRequestLog } from './buffered-request-log';
import { PostgresRequestEngine } from './postgres-request-log';
import { requestLogTables } from './sql';

const silent = createLogger({ silent: true });
const PREFIX = `store_reqlog_${process.pid}`;
let n = 0;
const tables: string[] = [];

function engine(table = `${PREFIX}_${n++}`): PostgresRequestEngine {
  tables.push(table);
  return new PostgresRequestEngine(POSTGRES_URL, table);
}

describeWithService(['postgres'], 'PostgreSQL request log', () => {
  afterAll(async () => {
    const pool = new Pool({ connectionString: POSTGRES_URL });
    for (const t of new Set(tables)) await pool.query(`DROP TABLE IF EXISTS ${requestLogTables(t).join(', ')}`);
    await pool.end();
  });

  describeRequestLog(() => new BufferedRequestLog(engine(), { log: silent, where: 'test' }));

  test('two instances on one database add to the same rollup cells and see each other’s records', async () => {
    const table = `${PREFIX}_shared`;
    const a = new BufferedRequestLog(engine(table), { log: silent, where: 'a' });
    const b = new BufferedRequestLog(engine(table), { log: silent, where: 'b' });
    for (let i = 0; i < 50; i++) {
      a.append(record({ id: `req_a_${i}`, alias: 'chat', provider: 'up' }));
      b.append(record({ id: `req_b_${i}`, alias: 'chat', provider: 'up' }));
    }
    b.append(record({ id: 'req_a_0', alias: 'chat', provider: 'up' }));
    await Promise.all([a.flush(), b.flush()]);
    expect((await b.overview('hour', T0)).by_alias).toEqual([{ name: 'chat', requests: 100, errors: 0, error_rate: 0 }]);
    expect(await a.list({}, 1000)).toHaveLength(100);
    await a.close();
    await b.close();
  });

  test('a database that cannot be reached fails the writes, never the caller', async () => {
    const log = new BufferedRequestLog(new PostgresRequestEngine('postgres://postgres@127.0.0.1:1/test'), { log: silent, where: 'down' });
    expect(() => log.append(record({ id: 'req_lost' }))).not.toThrow();
    await log.flush();
    await expect(log.list({}, 10)).rejects.toThrow();
    await log.close();
  });
});
