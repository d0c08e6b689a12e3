/**
 * GET /admin/spend?group_by=key|alias|provider|model&since=…&until=… : spend totals as JSON, for the admin key
 * only. `since` and `until` take an ISO date/time or milliseconds since the epoch.
 */
import { errors, type PluginEnv, type PluginRoute, type SpendGroupBy, type SpendTotal } from '../../plugin-api';
import type { SpendLog } from './spend-log';

const GROUPS: readonly SpendGroupBy[] = ['key', 'alias', 'provider', 'model'];

function parseTime(value: string | undefined, param: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw errors.badRequest(`${param} must be an ISO date or milliseconds since the epoch.`, param, 'invalid_time');
  return ms;
}

/**
 * @example routes: [spendRoute(env, spendLog)]
 */
export function spendRoute(env: Pick<PluginEnv, 'requireAdmin'>, spendLog: SpendLog): PluginRoute {
  return {
    method: 'GET',
    path: '/admin/spend',
    async handle(req) {
      env.requireAdmin(req.headers, 'GET /admin/spend');

      const groupBy = (req.query.group_by ?? 'key') as SpendGroupBy;
      if (!GROUPS.includes(groupBy)) throw errors.badRequest(`group_by must be one of ${GROUPS.join(', ')}.`, 'group_by', 'invalid_group_by');
      const since = parseTime(req.query.since, 'since');
      const until = parseTime(req.query.until, 'until');

      // Totals should include the requests that just finished, not only what the last batch wrote.
      await Promise.race([spendLog.writer.flush(), new Promise((r) => setTimeout(r, 1000).unref())]);
      const stats = spendLog.writer.stats;
      let totals: SpendTotal[];
      try {
        totals = await spendLog.sink.totals({ groupBy, since, until });
      } catch (err) {
        throw errors.spendSinkUnavailable(
          `The ${spendLog.sink.kind} spend sink cannot be read (${(err as Error).message}); ${stats.buffered} records wait to be written, ${stats.dropped} were dropped.`,
        );
      }
      return {
        status: 200,
        body: {
          object: 'spend',
          group_by: groupBy,
          since: since === undefined ? null : new Date(since).toISOString(),
          until: until === undefined ? null : new Date(until).toISOString(),
          total_cost_usd: Math.round(totals.reduce((sum, t) => sum + t.cost_usd, 0) * 1e9) / 1e9,
          data: totals,
          sink: { kind: spendLog.sink.kind, pending_records: stats.buffered, dropped_records: stats.dropped },
        },
      };
    },
  };
}
