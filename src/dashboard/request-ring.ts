/**
 * The Requests page's data: the last N finished requests, in a fixed-size ring (memory is bounded whatever the
 * traffic). Each entry is built from the request's context once it finished: who, which alias, which target
 * answered, every attempt, status, tokens, cost, latency, cache. Prompt and answer text only when
 * `server.dashboard.log_content` opts in.
 */
import type { RequestContext, RequestOutcome } from '../pipeline/types';

export interface RecentAttempt {
  provider: string;
  model: string;
  status?: number;
  kind?: string;
  reason?: string;
  start_ms?: number;
  ttfb_ms?: number;
  latency_ms: number;
  ok: boolean;
  skipped?: boolean;
  hedge?: boolean;
}

export interface RecentRequest {
  id: string;
  /** ms since epoch. */
  time: number;
  endpoint: string;
  key?: string;
  alias?: string;
  provider?: string;
  model?: string;
  status: number;
  stream: boolean;
  latency_ms: number;
  prompt_tokens?: number;
  completion_tokens?: number;
  cached_tokens?: number;
  cost_usd?: number;
  cache?: string;
  error?: string;
  attempts: RecentAttempt[];
  /** Only with log_content: the request body and the answer's text. */
  content?: { request: string; response?: string };
}

const CONTENT_CHARS = 20_000;

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * The ring entry of a finished request.
 *
 * @example ring.push(recentRequestOf(ctx, outcome, false));
 */
export function recentRequestOf(ctx: RequestContext, outcome: RequestOutcome, withContent: boolean): RecentRequest {
  const u = ctx.usage;
  const fields = ctx.logFields;
  const entry: RecentRequest = {
    id: ctx.id,
    time: ctx.startedAt,
    endpoint: ctx.endpoint,
    key: ctx.caller?.keyName,
    alias: ctx.requestedAlias || undefined,
    provider: ctx.servedBy?.provider,
    model: ctx.servedBy?.model,
    status: outcome.status,
    stream: ctx.stream,
    latency_ms: Math.round(outcome.latencyMs * 10) / 10,
    prompt_tokens: u?.prompt_tokens,
    completion_tokens: u?.completion_tokens,
    cached_tokens: u?.prompt_tokens_details?.cached_tokens,
    cost_usd: num(fields?.cost_usd),
    cache: typeof fields?.cache === 'string' ? fields.cache : undefined,
    error: outcome.error?.message,
    attempts: ctx.attempts.map((a) => ({
      provider: a.provider,
      model: a.model,
      status: a.status,
      kind: a.kind,
      reason: a.reason,
      start_ms: a.startMs === undefined ? undefined : Math.round(a.startMs * 10) / 10,
      ttfb_ms: a.ttfbMs === undefined ? undefined : Math.round(a.ttfbMs * 10) / 10,
      latency_ms: Math.round(a.latencyMs * 10) / 10,
      ok: a.ok,
      skipped: a.skipped,
      hedge: a.hedge,
    })),
  };
  if (withContent) {
    const text = outcome.response?.choices?.map((c) => (typeof c.message?.content === 'string' ? c.message.content : '')).join('\n');
    entry.content = { request: JSON.stringify(ctx.body).slice(0, CONTENT_CHARS), response: text?.slice(0, CONTENT_CHARS) };
  }
  return entry;
}

export interface RequestFilter {
  key?: string;
  alias?: string;
  provider?: string;
  /** 'ok' (2xx/3xx), 'error' (4xx/5xx), or an exact status. */
  status?: string;
  /** Case-insensitive substring of the id. */
  q?: string;
}

function matches(r: RecentRequest, f: RequestFilter): boolean {
  if (f.key && r.key !== f.key) return false;
  if (f.alias && r.alias !== f.alias) return false;
  if (f.provider && r.provider !== f.provider) return false;
  if (f.status === 'ok' && r.status >= 400) return false;
  if (f.status === 'error' && r.status < 400) return false;
  if (f.status && /^\d{3}$/.test(f.status) && r.status !== Number(f.status)) return false;
  if (f.q && !r.id.toLowerCase().includes(f.q.toLowerCase())) return false;
  return true;
}

export class RequestRing {
  private readonly items: (RecentRequest | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<RecentRequest | undefined>(capacity);
  }

  /** @example ring.push(entry) */
  push(entry: RecentRequest): void {
    this.items[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /**
   * Newest first, filtered, at most `limit`.
   *
   * @example ring.list({ alias: 'chat', status: 'error' }, 100)
   */
  list(filter: RequestFilter, limit: number): RecentRequest[] {
    const out: RecentRequest[] = [];
    for (let i = 1; i <= this.count && out.length < limit; i++) {
      const r = this.items[(this.next - i + this.capacity) % this.capacity]!;
      if (matches(r, filter)) out.push(r);
    }
    return out;
  }

  /** The entry with this request id, if still in the ring. @example ring.get('req_…') */
  get(id: string): RecentRequest | undefined {
    for (let i = 0; i < this.count; i++) if (this.items[i]?.id === id) return this.items[i];
    return undefined;
  }
}
