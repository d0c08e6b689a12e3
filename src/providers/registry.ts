/**
 * Maps the `api:` value of a provider entry to its adapter. `mock` speaks OpenAI's format; what makes it a mock
 * is its in-process transport (upstream/mock-transport.ts).
 */
import { anthropicAdapter } from './anthropic';
import { azureAdapter } from './azure';
import { bedrockAdapter } from './bedrock';
import { geminiAdapter } from './gemini';
import { openaiAdapter } from './openai';
import type { ProviderAdapter } from './types';
import { vertexAdapter } from './vertex';

export const adapters: Record<string, ProviderAdapter> = {
  openai: openaiAdapter,
  mock: { ...openaiAdapter, api: 'mock' },
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
  azure: azureAdapter,
  bedrock: bedrockAdapter,
  vertex: vertexAdapter,
};

/** APIs whose providers need no base_url (they do not talk to the network). */
export const NETWORKLESS_APIS = new Set(['mock']);
