/**
 * The failures the transport itself gives before or while reading an answer, by kind: the provider's pool
 * had no connection in time, or the answer would not fit the memory limits. The routing fails over from each
 * (another target may be free), and when they are all a request got, the client hears which one it was.
 */

export type TransportRefusal = 'pool_busy' | 'answer_too_large' | 'buffer_full';

const KINDS: Record<string, TransportRefusal> = {
  upstream_queue_full: 'pool_busy',
  upstream_queue_timeout: 'pool_busy',
  upstream_answer_too_large: 'answer_too_large',
  upstream_buffer_full: 'buffer_full',
};

/** @example transportRefusalOf(failure.info.code) // 'pool_busy' for a full queue or a queue timeout */
export function transportRefusalOf(code: string | null | undefined): TransportRefusal | undefined {
  return code != null && Object.hasOwn(KINDS, code) ? KINDS[code] : undefined;
}
