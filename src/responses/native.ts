/**
 * Backends that speak the Responses API themselves (OpenAI, Azure OpenAI, when their provider entry says
 * `responses: native`): the request goes to their `/responses` as the client wrote it, with the conversation
 * the gateway keeps spelled out as input (never the backend's own state: the next turn may go elsewhere). The
 * answer keeps everything the backend sent (hosted tool calls included); only ids, model and the state fields
 * are the gateway's, so ids and previous_response_id mean the same whichever backend served a turn.
 */
import { errors } from '../errors';
import type { ChatCompletion, ToolCall, Usage } from '../providers/openai-types';
import { openaiStyleError } from '../providers/openai';
import { providerHeaders } from '../providers/request-headers';
import type { UpstreamCall } from '../providers/types';
import type { ResolvedProvider } from '../routing/snapshot-types';
import type { HttpRequestSpec, SseEvent } from '../upstream/http-spec';
import { UpstreamFailure } from '../upstream/http-spec';
import { itemId } from './ids';
import { responseShell, type ResponseFrame } from './response';
import { isSealedReasoning } from './sealed-reasoning';
import type { ResponseItem, ResponseObject, ResponsesRequest, ResponsesStreamEvent } from './types';

/** The provider APIs that have a Responses endpoint. */
const NATIVE_APIS = new Set(['openai', 'azure']);

/**
 * True when the provider entry sets `responses: native` (on an OpenAI or Azure provider).
 *
 * @example isNativeResponses(snapshot.providers.get('openai')!) // true for `{ api: openai, responses: native }`
 */
export function isNativeResponses(provider: Pick<ResolvedProvider, 'settings'>): boolean {
  return NATIVE_APIS.has(provider.settings.api) && provider.settings.options.responses === 'native';
}

/** Azure's Responses endpoint is on its v1 API, whatever `api_version` the chat calls use. */
function responsesUrl(call: UpstreamCall): string {
  const p = call.provider;
  if (p.api !== 'azure') return `${p.baseUrl}/responses`;
  const resource = typeof p.options.resource === 'string' ? p.options.resource : undefined;
  const origin = (p.baseUrl || (resource ? `https://${resource}.openai.azure.com` : '')).replace(/\/openai(\/v1)?$/, '');
  return `${origin}/openai/v1/responses`;
}

/** Item ids are the gateway's; the backend never stored them (`store: false`), so they are not sent. */
function withoutId(item: ResponseItem): ResponseItem {
  if (item.id === undefined) return item;
  const copy = { ...item };
  delete copy.id;
  return copy;
}

/**
 * False for reasoning a native backend cannot take back: another backend's signed reasoning (sealed-reasoning.ts),
 * which OpenAI could not decrypt, and reasoning without encrypted content, which with `store: false` (and no ids)
 * it has no way to find. Leaving reasoning out only costs the backend its earlier thoughts.
 */
function usableReasoning(item: ResponseItem): boolean {
  return item.type !== 'reasoning' || (typeof item.encrypted_content === 'string' && !isSealedReasoning(item));
}

/**
 * The body sent to a native backend: the client's request with the whole conversation as input, the target's
 * model, and the gateway's state fields taken out.
 *
 * @example nativeResponsesBody(req, items, 'gpt-4.1-mini').store // false
 */
export function nativeResponsesBody(req: ResponsesRequest, items: ResponseItem[], model: string, dropParams: string[] = []): Record<string, unknown> {
  const input = items.filter(usableReasoning).map(withoutId);
  const body: Record<string, unknown> = { ...req, model, input, store: false };
  for (const f of ['previous_response_id', 'fallbacks', ...dropParams]) delete body[f];
  return body;
}

/**
 * The HTTP request to a native backend.
 *
 * @example nativeResponsesRequest(provider, body, call).url // 'https://api.openai.com/v1/responses'
 */
export function nativeResponsesRequest(provider: ResolvedProvider, body: Record<string, unknown>, call: UpstreamCall): HttpRequestSpec {
  return {
    method: 'POST',
    url: responsesUrl(call),
    headers: providerHeaders(call.provider, call.stream, provider.adapter.authHeaders),
    body: JSON.stringify(body),
  };
}

const PREFIX: Record<string, string> = { message: 'msg', function_call: 'fc', reasoning: 'rs' };

function prefixOf(type: string): string {
  return (
    PREFIX[type] ??
    type
      .split('_')
      .map((w) => w[0] ?? '')
      .join('')
  );
}

/** Output items with the gateway's ids (`idMap` collects upstream id → gateway id for the stream's item_id fields). */
function ownItems(output: unknown, frame: ResponseFrame, idMap?: Map<string, string>): ResponseItem[] {
  if (!Array.isArray(output)) return [];
  return (output as ResponseItem[]).map((item, i) => ownItem(item, i, frame, idMap));
}

function ownItem(item: ResponseItem, index: number, frame: ResponseFrame, idMap?: Map<string, string>): ResponseItem {
  const id = itemId(prefixOf(String(item.type)), frame.id, index);
  if (typeof item.id === 'string') idMap?.set(item.id, id);
  return { ...item, id };
}

/** The gateway's own fields on a Response a native backend sent. */
function ownResponse(upstream: Record<string, unknown>, frame: ResponseFrame, idMap?: Map<string, string>): ResponseObject {
  const r = frame.request;
  // The specification's fields the backend left out (an OpenAI-compatible server may) are filled in from the request.
  return {
    ...responseShell(frame, 'completed'),
    ...(upstream as Partial<ResponseObject>),
    id: frame.id,
    created_at: frame.createdAt,
    model: frame.model,
    output: ownItems(upstream.output, frame, idMap),
    previous_response_id: r.previous_response_id ?? null,
    store: r.store !== false,
  };
}

/**
 * Reads a native backend's JSON answer as the gateway's Response.
 *
 * @example nativeJsonResponse(json, frame, 'openai').id === frame.id // true
 */
export function nativeJsonResponse(json: unknown, frame: ResponseFrame, provider: string): ResponseObject {
  if (
    typeof json !== 'object' ||
    json === null ||
    (json as { object?: unknown }).object !== 'response' ||
    !Array.isArray((json as { output?: unknown }).output)
  )
    throw new UpstreamFailure({ ...errorInfo(errors.badNativeResponse(provider, 'not a Response object')) });
  return ownResponse(json as Record<string, unknown>, frame);
}

function errorInfo(e: ReturnType<typeof errors.badNativeResponse>) {
  return { status: e.status, type: e.type, code: e.code, message: e.message, retryable: true };
}

/**
 * A native backend's stream, relayed event by event with the gateway's ids and the stream's own sequence
 * numbers; an `error` event (before the gateway committed to the backend) fails the attempt over.
 *
 * @example const relay = new NativeEventRelay(frame, 'openai'); for (const ev of sse) write(relay.push(ev));
 */
export class NativeEventRelay {
  done = false;
  private seq = 0;
  private readonly idMap = new Map<string, string>();
  /** The last Response the stream carried (response.completed's is the final one). */
  last: ResponseObject | undefined;

  constructor(
    private readonly frame: ResponseFrame,
    private readonly provider: string,
  ) {}

  /** response.failed, when the stream broke after it began: what the backend had produced, marked failed. */
  failed(err: { code: string | null; message: string }): ResponsesStreamEvent {
    const response: ResponseObject = {
      ...(this.last ?? responseShell(this.frame, 'failed')),
      status: 'failed',
      error: { code: err.code ?? 'server_error', message: err.message },
    };
    return { type: 'response.failed', sequence_number: this.seq++, response };
  }

  push(event: SseEvent): ResponsesStreamEvent[] {
    if (event.data === '[DONE]') {
      this.done = true;
      return [];
    }
    let ev: Record<string, unknown>;
    try {
      ev = JSON.parse(event.data) as Record<string, unknown>;
    } catch {
      throw new UpstreamFailure(errorInfo(errors.badNativeResponse(this.provider, 'an unreadable stream event')));
    }
    if (typeof ev !== 'object' || ev === null || typeof ev.type !== 'string')
      throw new UpstreamFailure(errorInfo(errors.badNativeResponse(this.provider, 'a stream event without a type')));
    if (ev.type === 'error') throw new UpstreamFailure(openaiStyleError(500, JSON.stringify({ error: ev }), {}, this.provider));
    const out: Record<string, unknown> = { ...ev, sequence_number: this.seq++ };
    if (typeof ev.response === 'object' && ev.response !== null) {
      this.last = ownResponse(ev.response as Record<string, unknown>, this.frame, this.idMap);
      out.response = this.last;
    }
    if (typeof ev.item === 'object' && ev.item !== null && typeof ev.output_index === 'number')
      out.item = ownItem(ev.item as ResponseItem, ev.output_index, this.frame, this.idMap);
    if (typeof ev.item_id === 'string') out.item_id = this.idMap.get(ev.item_id) ?? ev.item_id;
    if (ev.type === 'response.completed' || ev.type === 'response.incomplete' || ev.type === 'response.failed') this.done = true;
    return [out as ResponsesStreamEvent];
  }
}

/**
 * A native Response as a chat completion, for what reads chat answers: plugins' onResponse (the cost header),
 * the cache, the usage the cost and rate limits count.
 *
 * @example responseToCompletion(response).choices[0].message.content // 'Hello'
 */
export function responseToCompletion(response: ResponseObject): ChatCompletion {
  let text = '';
  const calls: ToolCall[] = [];
  for (const item of response.output) {
    if (item.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content as { type?: string; text?: string }[]) if (part.type === 'output_text' && part.text) text += part.text;
    }
    if (item.type === 'function_call')
      calls.push({ id: String(item.call_id), type: 'function', function: { name: String(item.name), arguments: String(item.arguments) } });
  }
  const u = response.usage;
  const usage: Usage = {
    prompt_tokens: u?.input_tokens ?? 0,
    completion_tokens: u?.output_tokens ?? 0,
    total_tokens: u?.total_tokens ?? (u?.input_tokens ?? 0) + (u?.output_tokens ?? 0),
    prompt_tokens_details: { cached_tokens: u?.input_tokens_details?.cached_tokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: u?.output_tokens_details?.reasoning_tokens ?? 0 },
  };
  const cut = response.status === 'incomplete' && response.incomplete_details?.reason === 'max_output_tokens';
  return {
    id: response.id,
    object: 'chat.completion',
    created: response.created_at,
    model: response.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text || null, ...(calls.length ? { tool_calls: calls } : {}) },
        finish_reason: calls.length ? 'tool_calls' : cut ? 'length' : 'stop',
      },
    ],
    usage,
  };
}
