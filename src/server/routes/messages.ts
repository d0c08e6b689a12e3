/**
 * POST /v1/messages: the Anthropic-compatible front door. An Anthropic Messages request is translated to a chat
 * request and served by the chat endpoint's own routing and plugins (routes/chat.ts); only the wire format of
 * answers, streams and errors is Anthropic's (src/frontdoor/).
 */
import type { HttpResponse } from '../http-types';
import type { GatewayError } from '../../errors';
import { anthropicToChatRequest, validateAnthropicRequest } from '../../frontdoor/anthropic-request';
import { completionToAnthropicMessage, toAnthropicErrorBody } from '../../frontdoor/anthropic-response';
import { ChunksToAnthropicEvents, formatSseEvent, type AnthropicSseEvent } from '../../frontdoor/anthropic-stream';
import type { ChatCompletionChunk } from '../../providers/openai-types';
import type { EndpointWork } from '../lifecycle';
import { validateBody } from '../request-schemas';
import { headerList, sendJson } from '../send';
import { SSE_HEADERS, writable } from '../sse-writer';
import { chatWorkFor, type ChatAnswerFormat, type ChunkSink } from './chat';

/** Writes Anthropic SSE events (`event:` + `data:` lines), respecting backpressure like SseWriter. */
class AnthropicSseSink implements ChunkSink {
  private started = false;
  private readonly events: ChunksToAnthropicEvents;

  constructor(
    private readonly res: HttpResponse,
    private readonly headers: Record<string, string>,
    model: string,
  ) {
    this.events = new ChunksToAnthropicEvents(model);
  }

  async send(chunk: ChatCompletionChunk): Promise<void> {
    await this.write(this.events.push(chunk));
  }

  done(): void {
    this.start();
    this.res.end(this.events.finish().map(formatSseEvent).join(''));
  }

  fail(err: GatewayError): void {
    this.start();
    this.res.end(formatSseEvent(this.events.error(err)));
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(200, headerList(this.headers, SSE_HEADERS));
  }

  private async write(events: AnthropicSseEvent[]): Promise<void> {
    this.start();
    if (events.length === 0 || this.res.destroyed) return;
    if (!this.res.write(events.map(formatSseEvent).join(''))) await writable(this.res);
  }
}

export function sendAnthropicError(res: HttpResponse, err: GatewayError, headers: Record<string, string>): void {
  sendJson(res, err.status, toAnthropicErrorBody(err), { ...headers, ...err.headers });
}

/**
 * Anthropic's formats; the model echoed back is the alias the client asked for, as Anthropic echoes its model.
 *
 * @example chatWorkFor(anthropicMessagesFormat)
 */
export const anthropicMessagesFormat: ChatAnswerFormat = {
  sendJson: (res, ctx, completion, headers) => sendJson(res, 200, completionToAnthropicMessage(completion, ctx.requestedAlias), headers),
  openStream: (res, ctx, headers) => new AnthropicSseSink(res, headers, ctx.requestedAlias),
  sendError: sendAnthropicError,
};

/**
 * POST /v1/messages: the chat endpoint's work in Anthropic's formats, on an Anthropic request translated to a
 * chat request first (a bad Anthropic body is a 400 in Anthropic's shape, logged and counted like any answer).
 * Anthropic clients send their key as x-api-key, which the auth plugin accepts as well as Authorization.
 *
 * @example runLifecycle(req, res, handle, 'messages', messagesWork)
 */
export const messagesWork: EndpointWork = {
  ...chatWorkFor(anthropicMessagesFormat),
  parse: (body) => anthropicToChatRequest(validateAnthropicRequest(body)),
  validate: (body) => validateBody('messages', body),
};
