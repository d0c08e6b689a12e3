/**
 * The shape of one vendor's deviations from OpenAI's API, as hooks the OpenAI adapter runs around its own
 * pass-through: on the request body it is about to send, on a whole answer, on each stream chunk. Each hook is
 * pure (no I/O) and returns its input itself when there is nothing to change, so the common path copies nothing.
 */
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../openai-types';
import type { UpstreamCall } from '../types';

/**
 * @example const groq: OpenAIQuirks = { chunk: (c) => (c.x_groq?.usage ? { ...c, usage: c.x_groq.usage } : c) };
 */
export interface OpenAIQuirks {
  /** The chat body about to be sent (after drop_params and the adapter's own cleaning). May throw an UpstreamFailure. */
  request?(body: ChatRequest, call: UpstreamCall): ChatRequest;
  /** A whole answer; a changed answer must be a new object (the adapter relays `json` itself otherwise). */
  response?(completion: ChatCompletion, call: UpstreamCall): ChatCompletion;
  /** One stream chunk. */
  chunk?(chunk: ChatCompletionChunk, call: UpstreamCall): ChatCompletionChunk;
}
