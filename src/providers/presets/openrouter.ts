/**
 * OpenRouter: it reports what a request cost in `usage.cost` (USD) when asked with `usage: { include: true }`;
 * the gateway asks unless the client set `usage` itself, and relays the figure in the answer's usage. The
 * gateway's own price lookup is unchanged; `upstreamReportedCostUsd` (pipeline/reported-cost.ts) carries the
 * vendor's figure to plugins and the log.
 */
import type { ChatRequest } from '../openai-types';
import type { OpenAIQuirks } from './quirks';

/** @example openrouterQuirks.request!({ model: 'openai/gpt-4o', messages }, call).usage // { include: true } */
export const openrouterQuirks: OpenAIQuirks = {
  request(body: ChatRequest): ChatRequest {
    if (body.usage !== undefined) return body;
    return { ...body, usage: { include: true } };
  },
};
