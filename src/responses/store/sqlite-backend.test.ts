import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeResponseBackend, storedResponse } from '../../../test/helpers/response-store-contract';
import { openResponseBackend } from './open-backend';
import { SQLITE_PURGE_BATCH, SqliteResponseBackend } from './sqlite-backend';
import { createLogger } from '../../observability/logger';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-responses-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;

describe('SQLite response store', () => {
  describeResponseBackend(() => new SqliteResponseBackend(path.join(dir, `contract-${n++}.db`)));

  it('creates no file until a response is stored, then resolves its path against the config directory', async () => {
    const backend = openResponseBackend('sqlite://./data/responses.db', dir, createLogger({ silent: true }));
    const file = path.join(dir, 'data', 'responses.db');
    expect(await backend.purgeCreatedBefore(Date.now())).toBe(0);
    expect(await backend.get('resp_x')).toBeUndefined();
    // A read opened it (the table exists now); a purge alone did not.
    expect(fs.existsSync(file)).toBe(true);
    await backend.close();
    const fresh = new SqliteResponseBackend(path.join(dir, 'never', 'r.db'));
    await fresh.purgeCreatedBefore(Date.now());
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('keeps responses in the file across reopening (a restart)', async () => {
    const file = path.join(dir, 'restart.db');
    const first = new SqliteResponseBackend(file);
    await first.put(storedResponse({ id: 'resp_kept' }));
    await first.close();
    const second = new SqliteResponseBackend(file);
    expect((await second.get('resp_kept'))?.id).toBe('resp_kept');
    await second.close();
  });

  it('purges a large backlog in batches', async () => {
    const backend = new SqliteResponseBackend(path.join(dir, 'backlog.db'));
    const total = SQLITE_PURGE_BATCH * 2 + 7;
    for (let i = 0; i < total; i++) await backend.put(storedResponse({ id: `resp_${i}`, createdAt: 1000 + i }));
    await backend.put(storedResponse({ id: 'resp_recent', createdAt: 1_000_000 }));
    expect(await backend.purgeCreatedBefore(500_000)).toBe(total);
    expect((await backend.get('resp_recent'))?.id).toBe('resp_recent');
    await backend.close();
  });
});
