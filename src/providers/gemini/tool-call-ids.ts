/**
 * OpenAI tool calls need ids; Gemini function calls usually have none. Ids are derived from the response so
 * they are stable, and carry Gemini's thought signature so it survives the client's round trip untouched.
 */
import { createHash } from 'node:crypto';

// Thought signatures are base64, which never contains "_", so this cannot occur inside one.
const SIGNATURE_SEPARATOR = '__thought__';

/**
 * @example toolCallId({ responseId: 'r1', position: 0, name: 'get_weather' }) // 'call_3f2a…'
 * @example toolCallId({ responseId: 'r1', position: 0, name: 'f', signature: 'c2ln' }) // 'call_…__thought__c2ln'
 */
export function toolCallId(from: { responseId?: string; position: number | string; name: string; signature?: string }): string {
  const base = `call_${createHash('sha256')
    .update(`${from.responseId ?? ''}:${from.position}:${from.name}`)
    .digest('hex')
    .slice(0, 24)}`;
  return from.signature ? `${base}${SIGNATURE_SEPARATOR}${from.signature}` : base;
}

/**
 * @example thoughtSignatureOf('call_ab__thought__c2ln') // 'c2ln'
 */
export function thoughtSignatureOf(id: string | undefined): string | undefined {
  if (!id) return undefined;
  const at = id.indexOf(SIGNATURE_SEPARATOR);
  return at < 0 ? undefined : id.slice(at + SIGNATURE_SEPARATOR.length);
}
