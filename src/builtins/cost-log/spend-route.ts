/**
 * GET /admin/spend?group_by=key|alias|provider|model&since=…&until=… : spend totals as JSON, for the admin key
 * only. `since` and `until` take an ISO date/time or milliseconds since the epoch.
 */
import { GatewayError } from '../../errors';
import type { PluginRoute } from '../../pipeline/types';
import { adminKeyMatches } from '../../server/admin-key';
import type { SpendGroupBy, SpendTotal } from '../../stores/spend-sink';
import type { SpendLog } from './spend-log';

const GROUPS: readonly SpendGroupBy[] = ['key', 'alias', 'provider', 'model'];

function parseTime(value: string | undefined, param: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new GatewayError({ status: 400, param, code: 'invalid_time', message: `${param} must be an ISO date or milliseconds since the epoch.` });
  return ms;
}

/**
 * @example routes: [spendRoute(() => adminKeyOf(env.config), spendLog)]
 */
export function spendRoute(adminKey: () => string | undefined, spendLog: SpendLog): PluginRoute {
  return {
    method: 'GET',
    path: '/admin/spend',
    async handle(req) {
      const key = adminKey();
      if (!key) throw new GatewayError({ status: 403, type: 'permission_error', code: 'admin_disabled', message: 'Admin endpoints are disabled: set admin_key on the auth plugin.' });
      if (!adminKeyMatches(req.headers, key)) throw new GatewayError({ status: 401, type: 'authentication_error', code: 'invalid_admin_key', message: 'GET /admin/spend needs the admin key (Authorization: Bearer <admin_key>).' });

      const groupBy = (req.query.group_by ?? 'key') as SpendGroupBy;
      if (!GROUPS.includes(groupBy)) throw new GatewayError({ status: 400, param: 'group_by', code: 'invalid_group_by', message: `group_by must be one of ${GROUPS.join(', ')}.` });
      const since = parseTime(req.query.since, 'since');
      const until = parseTime(req.query.until, 'until');

      // Totals should include the requests that just finished, not only what the last batch wrote.
      await Promise.race([spendLog.writer.flush(), new Promise((r) => setTimeout(r, 1000).unref())]);
      const stats = spendLog.writer.stats;
      let totals: SpendTotal[];
      try {
        totals = await spendLog.sink.totals({ groupBy, since, until });
      } catch (err) {
        throw new GatewayError({
          status: 503,
          code: 'spend_sink_unavailable',
          message: `The ${spendLog.sink.kind} spend sink cannot be read (${(err as Error).message}); ${stats.buffered} records wait to be written, ${stats.dropped} were dropped.`,
        });
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
