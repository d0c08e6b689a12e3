/**
 * Mistral: tool-call ids must be exactly 9 letters and digits; it answers 422 to any other (an OpenAI `call_…`
 * id, an Anthropic `toolu_…` id from a conversation that went through another provider). Such ids are rewritten
 * in the history sent to Mistral, the call and its result to the same new id, deterministically (a hash), so the
 * next turn maps them the same way. Mistral's own ids are valid and pass unchanged both ways, so the ids a client
 * receives stay the ones it sends back.
 */
import { createHash } from 'node:crypto';
import type { ChatMessage, ChatRequest } from '../openai-types';
import type { OpenAIQuirks } from './quirks';

const MISTRAL_ID = /^[A-Za-z0-9]{9}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A 9-character Mistral id for any id: itself when valid, else 9 base-62 digits of its SHA-256.
 *
 * @example mistralToolCallId('call_abc123') // 'Jq3…' (9 characters, the same every time)
 */
export function mistralToolCallId(id: string): string {
  if (MISTRAL_ID.test(id)) return id;
  const digest = createHash('sha256').update(id).digest();
  let out = '';
  for (let i = 0; i < 9; i++) out += ALPHABET[digest[i] % 62];
  return out;
}

/**
 * Only string ids are rewritten: the request schema does not check a history's tool calls, and one without an id
 * (or a null entry) is the client's mistake, passed on for Mistral to refuse rather than thrown on here.
 */
const foreignId = (id: unknown): id is string => typeof id === 'string' && !MISTRAL_ID.test(id);

function needsRewrite(m: ChatMessage): boolean {
  if (m.role === 'tool') return foreignId(m.tool_call_id);
  return m.role === 'assistant' && (m.tool_calls ?? []).some((c) => foreignId(c?.id));
}

/** @example mistralQuirks.request!({ model: 'mistral-large-latest', messages }, call) */
export const mistralQuirks: OpenAIQuirks = {
  request(body: ChatRequest): ChatRequest {
    if (!body.messages.some(needsRewrite)) return body;
    const messages = body.messages.map((m): ChatMessage => {
      if (!needsRewrite(m)) return m;
      if (m.role === 'tool') return { ...m, tool_call_id: mistralToolCallId(m.tool_call_id as string) };
      return { ...m, tool_calls: m.tool_calls!.map((c) => (foreignId(c?.id) ? { ...c, id: mistralToolCallId(c.id) } : c)) };
    });
    return { ...body, messages };
  },
};
