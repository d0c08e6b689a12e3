/**
 * GET /admin/spend?group_by=key|alias|provider|model|day (or a combination: key,day)&since=…&until=… : spend
 * totals as JSON, for the admin key only. `since` and `until` take an ISO date/time or milliseconds since the
 * epoch. Amounts are exact: `cost_usd` is the decimal of an integer sum of pico-dollars, `cost_pico` that sum.
 */
import { errors, formatPicoUsd, SPEND_GROUPS, type PluginEnv, type PluginRoute, type SpendGroupBy, type SpendTotal } from '../../plugin-api';
import type { SpendLog } from './spend-log';

function parseTime(value: string | undefined, param: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw errors.badRequest(`${param} must be an ISO date or milliseconds since the epoch.`, param, 'invalid_time');
  return ms;
}

/** `key,day` → ['key', 'day'], in the order asked; each dimension at most once. */
function parseGroupBy(value: string | undefined): SpendGroupBy[] {
  const parts = (value ?? 'key').split(',').map((p) => p.trim());
  const bad = parts.find((p) => !SPEND_GROUPS.includes(p as SpendGroupBy));
  if (bad !== undefined || parts.length === 0 || new Set(parts).size !== parts.length)
    throw errors.badRequest(
      `group_by must be one of ${SPEND_GROUPS.join(', ')}, or several of them separated by commas (e.g. key,day), each once.`,
      'group_by',
      'invalid_group_by',
    );
  return parts as SpendGroupBy[];
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

      const groupBy = parseGroupBy(req.query.group_by);
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
      const totalPico = totals.reduce((sum, t) => sum + BigInt(t.cost_pico), 0n);
      return {
        status: 200,
        body: {
          object: 'spend',
          group_by: groupBy.join(','),
          since: since === undefined ? null : new Date(since).toISOString(),
          until: until === undefined ? null : new Date(until).toISOString(),
          total_cost_usd: Number(formatPicoUsd(totalPico)),
          total_cost_pico: totalPico.toString(),
          data: totals,
          sink: { kind: spendLog.sink.kind, pending_records: stats.buffered, dropped_records: stats.dropped },
        },
      };
    },
  };
}
