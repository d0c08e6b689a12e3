/**
 * Small requests the gateway makes to a provider on its own behalf, not a client's: its model list
 * (`GET <base_url>/models`, for GET /v1/models of an exposed provider and for health checks) and a one-token
 * completion (a health check that proves the model answers). Through the provider's own transport and adapter,
 * so they use its pool, headers and key like any attempt.
 */
import type { ResolvedProvider } from './snapshot-types';
import { AbortFlag } from '../upstream/abort-flag';

/** What one probe found. */
export interface ProbeResult {
  ok: boolean;
  /** HTTP status, when the provider answered. */
  status?: number;
  /** Why it failed (never a secret: a status or a transport error's message). */
  error?: string;
  /** Model ids of a models probe that answered with OpenAI's list shape. */
  models?: string[];
}

const MAX_LIST_BYTES = 8 << 20;

async function send(
  provider: ResolvedProvider,
  spec: { method: 'GET' | 'POST'; url: string; headers: Record<string, string>; body?: string },
  timeoutMs: number,
) {
  const cancel = new AbortFlag();
  const timer = setTimeout(() => cancel.abort(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
  timer.unref();
  try {
    return await provider.transport.fetch(spec, { cancel, firstByteTimeoutMs: timeoutMs, idleTimeoutMs: timeoutMs, maxBytes: MAX_LIST_BYTES });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET <base_url>/models`: ok on a 2xx, with the ids when the body is OpenAI's `{ data: [{ id }] }`.
 *
 * @example const { ok, models } = await probeModels(provider, 5000);
 */
export async function probeModels(provider: ResolvedProvider, timeoutMs: number): Promise<ProbeResult> {
  try {
    const headers = { accept: 'application/json', ...provider.settings.headers, ...provider.adapter.authHeaders(provider.settings) };
    const res = await send(provider, { method: 'GET', url: `${provider.settings.baseUrl}/models`, headers }, timeoutMs);
    if (res.status < 200 || res.status >= 300) return { ok: false, status: res.status, error: `HTTP ${res.status}` };
    let models: string[] | undefined;
    try {
      const data = (JSON.parse(res.body.toString('utf8')) as { data?: { id?: unknown }[] }).data;
      if (Array.isArray(data)) models = data.map((m) => m?.id).filter((id): id is string => typeof id === 'string');
    } catch {
      // A 2xx that is not a list still says the provider is up.
    }
    return { ok: true, status: res.status, ...(models ? { models } : {}) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/**
 * A one-token chat request to `model`, built by the provider's adapter: ok when it answers 2xx.
 *
 * @example await probeCompletion(provider, 'gpt-4o-mini', 5000) // { ok: true, status: 200 }
 */
export async function probeCompletion(provider: ResolvedProvider, model: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    const spec = provider.adapter.buildChatRequest(
      { model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 },
      { provider: provider.settings, model, stream: false },
    );
    const res = await send(provider, spec, timeoutMs);
    if (res.status < 200 || res.status >= 300) return { ok: false, status: res.status, error: `HTTP ${res.status}` };
    return { ok: true, status: res.status };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
