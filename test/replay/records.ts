/**
 * Recorded requests for replay tests, built by hand so each expectation can be worked out on paper.
 */
import type { RecordedAttempt, RequestRecord } from '../../src/stores/request-log/request-record';

/** The start of the window the tests replay. */
export const T0 = Date.parse('2026-11-30T00:00:00Z');

let next = 0;

/** A served chat request on one target, after any failed attempts given. */
export function served(
  alias: string,
  target: string,
  options: Partial<RequestRecord> & { failedFirst?: RecordedAttempt[]; tools?: boolean; latency?: number } = {},
): RequestRecord {
  const [provider, model] = target.split('/');
  const { failedFirst = [], tools = false, latency = 100, ...rest } = options;
  const id = `req_${String(next++).padStart(5, '0')}`;
  return {
    id,
    time: T0 + next * 1000,
    endpoint: 'chat',
    alias,
    provider,
    model,
    status: 200,
    stream: false,
    latency_ms: latency + failedFirst.reduce((s, a) => s + a.latency_ms, 0),
    prompt_tokens: 1000,
    completion_tokens: 100,
    attempts: [...failedFirst, { provider, model, status: 200, latency_ms: latency, ok: true }],
    features: { has_tools: tools, has_images: false, structured_output: false, estimated_prompt_tokens: 990 },
    ...rest,
  };
}

/** A failed attempt at a target. */
export function failedAttempt(target: string, status: number, latency = 50): RecordedAttempt {
  const [provider, model] = target.split('/');
  return { provider, model, status, kind: 'status', latency_ms: latency, ok: false };
}

/** n copies of a record made by `make` (each with its own id). */
export function times(n: number, make: () => RequestRecord): RequestRecord[] {
  return Array.from({ length: n }, make);
}
