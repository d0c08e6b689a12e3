import { describeWithService, dropPostgresTable, POSTGRES_URL, scratchTable } from '../../../test/helpers/services';
import { describeResponseBackend } from '../../../test/helpers/response-store-contract';
import { createLogger } from '../../observability/logger';
import { openResponseBackend } from './open-backend';

const tables: string[] = [];

describeWithService(['postgres'], 'PostgreSQL response store', () => {
  afterAll(async () => {
    for (const t of tables) await dropPostgresTable(t);
  });

  describeResponseBackend(() => {
    const table = scratchTable('responses');
    tables.push(table);
    return openResponseBackend(`${POSTGRES_URL}?table=${table}`, '/', createLogger({ silent: true }));
  });
});
