/**
 * The request log's record of a finished request, built from its context once it finished: who, which alias,
 * which target answered, every attempt, status, tokens (cache reads and writes, reasoning), cost, latency, time
 * to first byte, cache verdict, the error's code, and the facts route rules read (tools, images, structured
 * output, estimated prompt tokens, complexity, metadata) so replay can route it again. Prompt and answer text only
 * when `server.dashboard.log_content` opts in.
 */
import type { RequestContext, RequestOutcome } from '../pipeline/types';
import { routeFactsOf } from '../routing/rules';
import type { RecordedAttempt, RequestFeatures, RequestRecord } from '../stores/request-log/request-record';

const CONTENT_CHARS = 20_000;
/** Endpoints whose body is a model request, with facts for route rules to read. */
const MODEL_REQUESTS: ReadonlySet<string> = new Set(['chat', 'completions', 'embeddings', 'messages', 'responses']);

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function tenth(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 10) / 10;
}

/** `response_format` (chat) or `text.format` (Responses) asking for JSON. */
function asksForJson(body: Record<string, unknown>): boolean {
  const format = (body.response_format ?? (body.text as { format?: unknown } | undefined)?.format) as { type?: unknown } | undefined;
  return format?.type === 'json_schema' || format?.type === 'json_object';
}

/**
 * The facts of a model request, read the way route rules read them (routing/rules.ts routeFactsOf).
 *
 * @example featuresOf(ctx)?.has_tools // true
 */
export function featuresOf(ctx: Pick<RequestContext, 'endpoint' | 'body' | 'metadata' | 'caller'>): RequestFeatures | undefined {
  if (!MODEL_REQUESTS.has(ctx.endpoint)) return undefined;
  const body = ctx.body as Record<string, unknown>;
  const facts = routeFactsOf(body, ctx.metadata, ctx.caller?.keyName);
  const n = num(body.n);
  return {
    has_tools: facts.hasTools,
    has_images: facts.hasImages,
    structured_output: asksForJson(body),
    estimated_prompt_tokens: facts.promptTokens(),
    ...(facts.maxTokens !== undefined ? { max_tokens: facts.maxTokens } : {}),
    ...(n !== undefined && n > 1 ? { n } : {}),
    complexity: Math.round(facts.complexity().score * 1000) / 1000,
  };
}

/**
 * @example requestLog.append(requestRecordOf(ctx, outcome, false));
 */
export function requestRecordOf(ctx: RequestContext, outcome: RequestOutcome, withContent: boolean): RequestRecord {
  const u = ctx.usage;
  const fields = ctx.logFields;
  const attempts: RecordedAttempt[] = ctx.attempts.map((a) => ({
    provider: a.provider,
    model: a.model,
    status: a.status,
    kind: a.kind,
    reason: a.reason,
    start_ms: tenth(a.startMs),
    ttfb_ms: tenth(a.ttfbMs),
    latency_ms: tenth(a.latencyMs)!,
    ok: a.ok,
    skipped: a.skipped,
    hedge: a.hedge,
  }));
  const served = ctx.servedBy ? attempts.find((a) => a.ok && a.provider === ctx.servedBy!.provider && a.model === ctx.servedBy!.model) : undefined;
  const record: RequestRecord = {
    id: ctx.id,
    time: ctx.startedAt,
    endpoint: ctx.endpoint,
    key: ctx.caller?.keyName,
    alias: ctx.requestedAlias || undefined,
    provider: ctx.servedBy?.provider,
    model: ctx.servedBy?.model,
    status: outcome.status,
    stream: ctx.stream,
    latency_ms: tenth(outcome.latencyMs)!,
    ttfb_ms: served?.ttfb_ms,
    prompt_tokens: u?.prompt_tokens,
    completion_tokens: u?.completion_tokens,
    cached_tokens: num(u?.prompt_tokens_details?.cached_tokens),
    cache_write_tokens: num(u?.prompt_tokens_details?.cache_write_tokens),
    reasoning_tokens: num(u?.completion_tokens_details?.reasoning_tokens),
    cost_usd: num(fields?.cost_usd),
    cache: typeof fields?.cache === 'string' ? fields.cache : undefined,
    error: outcome.error?.message,
    error_code: outcome.error?.code ?? undefined,
    attempts,
    features: featuresOf(ctx),
    metadata: Object.keys(ctx.metadata).length > 0 ? { ...ctx.metadata } : undefined,
  };
  if (withContent) {
    const text = outcome.response?.choices?.map((c) => (typeof c.message?.content === 'string' ? c.message.content : '')).join('\n');
    record.content = { request: JSON.stringify(ctx.body).slice(0, CONTENT_CHARS), response: text?.slice(0, CONTENT_CHARS) };
  }
  return record;
}
