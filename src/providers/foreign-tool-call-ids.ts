/**
 * Tool-call ids that travel between providers. A conversation may hold ids another provider made: Anthropic
 * takes only `^[a-zA-Z0-9_-]+$`, OpenAI at most 40 characters. An id that does not fit is replaced, in the
 * request only, by a short deterministic one (the same for the call and for its result), so the client keeps
 * its own ids and the upstream sees ids it accepts.
 */
import { createHash } from 'node:crypto';

/** What every provider accepts: Anthropic's character set within OpenAI's length. */
const PORTABLE_ID = /^[a-zA-Z0-9_-]{1,40}$/;

/**
 * @example portableToolCallId('call_abc') // 'call_abc'
 * @example portableToolCallId('call_x__thought__c2ln+/=') // 'call_9f86d081884c7d659a2feaa0' (stable)
 */
export function portableToolCallId(id: string): string {
  if (PORTABLE_ID.test(id)) return id;
  return `call_${createHash('sha256').update(id).digest('hex').slice(0, 24)}`;
}

/**
 * True when an id needs no replacing for any provider.
 *
 * @example isPortableToolCallId('toolu_01A') // true
 */
export function isPortableToolCallId(id: string): boolean {
  return PORTABLE_ID.test(id);
}
