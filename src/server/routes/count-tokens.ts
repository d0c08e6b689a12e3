/**
 * POST /v1/messages/count_tokens: Anthropic's token counting. Exact when the alias's first available target is an
 * Anthropic provider (its own count_tokens endpoint answers), otherwise, or when that upstream fails, an estimate
 * from a real tokenizer (frontdoor/anthropic-token-estimate.ts). `x-switchyard-token-count` says which it is.
 * No model is called: the plugins see the request (auth checks the key and the alias) but nothing is priced,
 * cached or charged against token budgets (they ignore the `count_tokens` endpoint).
 */
import { errors } from '../../errors';
import { validateAnthropicCountRequest, type AnthropicCountTokensRequest } from '../../frontdoor/anthropic-request';
import { estimateAnthropicInputTokens } from '../../frontdoor/anthropic-token-estimate';
import { redactedExcerpt } from '../../observability/redact';
import { clientAbortOf } from '../../pipeline/client-abort';
import type { RequestContext } from '../../pipeline/types';
import { anthropicAdapter, anthropicApiRoot } from '../../providers/anthropic';
import { providerHeaders } from '../../providers/request-headers';
import type { ResolvedProvider, ResolvedTarget, RuntimeSnapshot } from '../../routing/snapshot-types';
import { describeTransportError } from '../../upstream/transport';
import { routingRequest, servedHeaders, type EndpointWork } from '../lifecycle';
import { sendJson } from '../send';
import { sendAnthropicError } from './messages';

/** The fields Anthropic's count_tokens accepts; it refuses any other (max_tokens included) as an extra input. */
const COUNT_FIELDS = ['messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers', 'context_management', 'output_format', 'output_config'];

/** The most an upstream's count answer may weigh; a count is a few bytes. */
const MAX_ANSWER_BYTES = 1 << 16;

/** The exact count, or why there is none (a short reason for the header and the log). */
type ExactCount = { tokens: number } | { failed: string };

/** The body Anthropic's count_tokens takes, for the target's real model. */
function countBody(req: AnthropicCountTokensRequest, model: string): string {
  const body: Record<string, unknown> = { model };
  for (const field of COUNT_FIELDS) if (req[field] !== undefined && req[field] !== null) body[field] = req[field];
  return JSON.stringify(body);
}

/** The alias's first target whose provider is available (the one a model call would try first), if it is Anthropic. */
function anthropicTarget(snapshot: RuntimeSnapshot, targets: readonly ResolvedTarget[]): { provider: ResolvedProvider; model: string } | undefined {
  for (const t of targets) {
    const provider = snapshot.providers.get(t.provider);
    if (!provider?.available) continue;
    return provider.adapter.api === 'anthropic' ? { provider, model: t.model } : undefined;
  }
  return undefined;
}

/** Asks the provider's own count_tokens endpoint, through its transport (its pool, queue and limits). */
async function countAtAnthropic(ctx: RequestContext, provider: ResolvedProvider, model: string, req: AnthropicCountTokensRequest): Promise<ExactCount> {
  const settings = provider.settings;
  const spec = {
    method: 'POST' as const,
    url: `${anthropicApiRoot(settings.baseUrl)}/messages/count_tokens`,
    headers: { ...providerHeaders(settings, false, anthropicAdapter.authHeaders) },
    body: countBody(req, model),
  };
  const cancel = clientAbortOf(ctx);
  let res;
  try {
    const { totalMs, firstByteMs } = provider.timeouts;
    res = await provider.transport.fetch(spec, { cancel, firstByteTimeoutMs: firstByteMs ?? totalMs, idleTimeoutMs: totalMs, maxBytes: MAX_ANSWER_BYTES });
  } catch (err) {
    return { failed: describeTransportError(err, cancel).kind };
  }
  const text = res.body.toString('utf8');
  if (res.status === 400 || res.status === 413) {
    // The request itself is wrong: an estimate would hide that. Anthropic's words, redacted, in its shape.
    const message = (JSON.parse(text) as { error?: { message?: unknown } } | null)?.error?.message;
    throw errors.countTokensRefused(redactedExcerpt(typeof message === 'string' ? message : text, 500));
  }
  if (res.status !== 200) {
    ctx.log.warn('count_tokens upstream failed', { request_id: ctx.id, provider: provider.name, status: res.status, error: redactedExcerpt(text, 300) });
    return { failed: `status_${res.status}` };
  }
  const tokens = (JSON.parse(text) as { input_tokens?: unknown } | null)?.input_tokens;
  return typeof tokens === 'number' && Number.isInteger(tokens) && tokens >= 0 ? { tokens } : { failed: 'bad_answer' };
}

async function exactCount(ctx: RequestContext, provider: ResolvedProvider, model: string, req: AnthropicCountTokensRequest): Promise<ExactCount> {
  try {
    return await countAtAnthropic(ctx, provider, model, req);
  } catch (err) {
    if (err instanceof SyntaxError) return { failed: 'bad_answer' }; // an answer that is not JSON
    throw err;
  }
}

/**
 * The count_tokens endpoint on the one lifecycle: body validated as /v1/messages does (max_tokens not
 * required), errors in Anthropic's shape.
 *
 * @example add('POST', '/v1/messages/count_tokens', 'count_tokens', countTokensWork)
 */
export const countTokensWork: EndpointWork = {
  body: 'json',
  parse: (body) => validateAnthropicCountRequest(body),
  sendError: sendAnthropicError,
  async serve(ctx, res, snapshot) {
    const { alias } = routingRequest(snapshot, ctx);
    const req = ctx.body as AnthropicCountTokensRequest;
    const target = anthropicTarget(snapshot, alias.targets);
    let count = target ? await exactCount(ctx, target.provider, target.model, req) : undefined;
    const headers = ctx.responseHeaders;
    if (target && count && 'tokens' in count) {
      ctx.servedBy = { alias: alias.name, provider: target.provider.name, model: target.model };
      headers['x-switchyard-token-count'] = 'exact';
    } else {
      if (count && 'failed' in count) headers['x-switchyard-token-count-fallback'] = count.failed;
      count = { tokens: estimateAnthropicInputTokens(req) };
      headers['x-switchyard-token-count'] = 'estimate';
    }
    sendJson(res, 200, { input_tokens: count.tokens }, servedHeaders(ctx));
    return { status: 200, completed: true, latencyMs: performance.now() - ctx.startedMono };
  },
};
