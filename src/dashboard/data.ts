/**
 * What each dashboard page reads, as JSON: the request log's rollups (Overview), the spend sink through the
 * cost-log plugin's GET /admin/spend route (Spend), the request log (Requests), and the snapshot and reload status
 * (Config). The Providers page's is providers-data.ts.
 */
import { errors, GatewayError, requestLogErrors } from '../errors';
import { adminKeyOf } from '../pipeline/admin-key';
import type { RuntimeSnapshot } from '../routing/snapshot-types';
import type { RuntimeHandle } from '../server/runtime-handle';
import { pluginRoutesAt } from '../server/routes/plugin-routes';
import { redactConfig } from './redact-config';
import type { Overview, OverviewRange, RequestFilter, RequestLog, RequestRecord } from '../stores/request-log/request-record';
import type { DashboardState } from './state';

/** The snapshot's request log; a read that fails is a 503 naming the store's problem, never a 500. */
function requestLogOf(snapshot: RuntimeSnapshot): RequestLog {
  if (!snapshot.requestLog) throw errors.dashboardDisabled();
  return snapshot.requestLog;
}

async function readLog<T>(snapshot: RuntimeSnapshot, read: (log: RequestLog) => Promise<T>): Promise<T> {
  const log = requestLogOf(snapshot);
  try {
    // What this process recorded but has not written yet is shown too (flush returns early when the store fails).
    await log.flush();
    return await read(log);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw requestLogErrors.requestLogUnavailable(log.kind, (err as Error).message);
  }
}

/**
 * The Overview of the last hour, day or week, from the request log's rollups (every process writing the store).
 *
 * @example await overviewData(snapshot, state, { range: 'day' })
 */
export function overviewData(snapshot: RuntimeSnapshot, state: DashboardState, query: Record<string, string>): Promise<Overview> {
  const range: OverviewRange = query.range === 'day' || query.range === 'week' ? query.range : 'hour';
  return readLog(snapshot, (log) => log.overview(range, state.now()));
}

/** How far back one page of an id search reads: the substring has no index, so each page scans one day at most. */
const SEARCH_WINDOW_MS = 86_400_000;

/**
 * Newest recorded requests first, filtered (key, alias, provider, status ok/error/NNN, id substring q), at most
 * `limit`; `before` (ms) and `before_id` page to older ones, and `next` is the cursor of the page after this.
 * An id search reads one day per page (`searched_since` says where it stopped; `next` continues before it),
 * except that a complete id is found at once, however old.
 *
 * @example await requestsData(snapshot, { alias: 'chat', status: 'error' })
 */
export async function requestsData(snapshot: RuntimeSnapshot, query: Record<string, string>) {
  const before = query.before !== undefined && /^\d+$/.test(query.before) ? Number(query.before) : undefined;
  const filter: RequestFilter = {
    key: query.key || undefined,
    alias: query.alias || undefined,
    provider: query.provider || undefined,
    status: query.status || undefined,
    q: query.q || undefined,
    before,
    before_id: before !== undefined && query.before_id ? query.before_id : undefined,
  };
  const limit = Math.min(Math.max(Number(query.limit) || 200, 1), 1000);
  const store = requestLogOf(snapshot).kind;
  if (filter.q) {
    const exact = before === undefined ? await readLog(snapshot, (log) => log.get(filter.q!)) : undefined;
    if (exact) return { data: [withoutContent(exact)], store, next: null, searched_since: null };
    const newest = before ?? (await readLog(snapshot, (log) => log.list({}, 1)))[0]?.time;
    if (newest === undefined) return { data: [], store, next: null, searched_since: null };
    filter.since = (before ?? newest + 1) - SEARCH_WINDOW_MS;
    const data = await readLog(snapshot, (log) => log.list(filter, limit));
    const last = data.length === limit ? data[data.length - 1] : undefined;
    const older = last ? undefined : (await readLog(snapshot, (log) => log.list({ before: filter.since }, 1)))[0];
    const next = last ? { before: last.time, before_id: last.id } : older ? { before: filter.since, before_id: '' } : null;
    return { data, store, next, searched_since: filter.since };
  }
  const data = await readLog(snapshot, (log) => log.list(filter, limit));
  const last = data.length === limit ? data[data.length - 1] : undefined;
  return { data, store, next: last ? { before: last.time, before_id: last.id } : null };
}

function withoutContent({ content: _c, ...rest }: RequestRecord): RequestRecord {
  return rest;
}

/** One recorded request with every attempt (and its content, when log_content kept it). @example await requestDetail(snapshot, 'req_1') */
export async function requestDetail(snapshot: RuntimeSnapshot, id: string | undefined): Promise<RequestRecord> {
  const r = id ? await readLog(snapshot, (log) => log.get(id)) : undefined;
  if (!r) throw errors.dashboardRequestUnknown(id ?? '');
  return r;
}

/** @example configData(handle, snapshot) */
export function configData(handle: RuntimeHandle, snapshot: RuntimeSnapshot) {
  return {
    file: snapshot.file,
    hash: snapshot.hash,
    loaded_at: snapshot.loadedAt.toISOString(),
    last_reload: handle.lastReload(),
    config: redactConfig(snapshot.config),
  };
}

type SpendGroup = 'key' | 'alias' | 'model' | 'provider';
interface SpendRow {
  group: string | null;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  unpriced_requests: number;
}

/** Asks the cost-log plugin's /admin/spend route in-process, with the admin key the session stands for. */
async function spendTotals(snapshot: RuntimeSnapshot, groupBy: SpendGroup, since?: number, until?: number): Promise<SpendRow[] | undefined> {
  const route = pluginRoutesAt(snapshot, '/admin/spend')?.find((r) => r.method === 'GET');
  const adminKey = adminKeyOf(snapshot.config);
  if (!route || !adminKey) return undefined;
  const query: Record<string, string> = { group_by: groupBy };
  if (since !== undefined) query.since = String(since);
  if (until !== undefined) query.until = String(until);
  const out = await route.handle({ headers: { authorization: `Bearer ${adminKey}` }, query, body: {} });
  if (out.status !== 200) throw new Error(`GET /admin/spend answered ${out.status}`);
  return (out.body as { data: SpendRow[] }).data;
}

const DAY = 86_400_000;

interface AuthKeyConfig {
  name?: unknown;
  budget_usd?: unknown;
  budget_period?: unknown;
}

function periodStart(period: string, now: number): number | undefined {
  const d = new Date(now);
  if (period === 'daily') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'monthly') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return undefined;
}

/**
 * Spend by key, alias, model and provider over `days` days, per day, and every key's budget used and left.
 * `available: false` when no cost-log plugin runs.
 *
 * @example await spendData(snapshot, Date.now(), { days: '7' })
 */
export async function spendData(snapshot: RuntimeSnapshot, now: number, query: Record<string, string>) {
  const days = Math.min(Math.max(Number(query.days) || 7, 1), 90);
  const today = Math.floor(now / DAY) * DAY;
  const since = today - (days - 1) * DAY;
  const groups: SpendGroup[] = ['key', 'alias', 'model', 'provider'];
  const first = await spendTotals(snapshot, 'key', since);
  if (first === undefined) return { available: false as const };
  const by: Record<string, SpendRow[]> = { key: first };
  for (const g of groups.slice(1)) by[g] = (await spendTotals(snapshot, g, since)) ?? [];
  const perDay: { day: string; cost_usd: number; requests: number }[] = [];
  for (let d = since; d <= today; d += DAY) {
    const rows = (await spendTotals(snapshot, 'alias', d, d + DAY - 1)) ?? [];
    perDay.push({
      day: new Date(d).toISOString().slice(0, 10),
      cost_usd: rows.reduce((s, r) => s + r.cost_usd, 0),
      requests: rows.reduce((s, r) => s + r.requests, 0),
    });
  }
  const auth = (snapshot.config.plugins as unknown as Record<string, unknown>[]).find((p) => p.use === 'auth');
  const keys = Array.isArray(auth?.keys) ? (auth.keys as AuthKeyConfig[]) : [];
  const budgets = [];
  for (const k of keys) {
    if (typeof k.budget_usd !== 'number' || typeof k.name !== 'string') continue;
    const period = typeof k.budget_period === 'string' ? k.budget_period : 'monthly';
    const rows = (await spendTotals(snapshot, 'key', periodStart(period, now))) ?? [];
    const used = rows.find((r) => r.group === k.name)?.cost_usd ?? 0;
    budgets.push({ key: k.name, period, budget_usd: k.budget_usd, used_usd: used, left_usd: Math.max(0, k.budget_usd - used) });
  }
  return { available: true as const, days, since: new Date(since).toISOString(), by, per_day: perDay, budgets };
}

function csvCell(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  // A cell starting with = + - @ would be a formula in a spreadsheet: quote-prefix it.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The spend totals of one grouping as CSV.
 *
 * @example await spendCsv(snapshot, Date.now(), { group_by: 'alias', days: '30' })
 */
export async function spendCsv(snapshot: RuntimeSnapshot, now: number, query: Record<string, string>): Promise<string> {
  const groupBy: SpendGroup = (['key', 'alias', 'model', 'provider'] as const).find((g) => g === query.group_by) ?? 'key';
  const days = Math.min(Math.max(Number(query.days) || 7, 1), 90);
  const since = Math.floor(now / DAY) * DAY - (days - 1) * DAY;
  const rows = (await spendTotals(snapshot, groupBy, since)) ?? [];
  const head = [groupBy, 'requests', 'input_tokens', 'output_tokens', 'cached_tokens', 'cost_usd', 'unpriced_requests'];
  const lines = [head.join(',')];
  for (const r of rows)
    lines.push([r.group, r.requests, r.input_tokens, r.output_tokens, r.cached_tokens, r.cost_usd, r.unpriced_requests].map(csvCell).join(','));
  return lines.join('\n') + '\n';
}
