/**
 * Builds the ProviderSettings / UpstreamCall values adapter tests need, so each test states only what matters.
 */
import type { ProviderSettings, UpstreamCall } from '../providers/types';

/**
 * @example upstreamCall({ api: 'anthropic', model: 'claude-sonnet-4-5', stream: true })
 */
export function upstreamCall(init: Partial<ProviderSettings> & { api: string; model: string; stream?: boolean }): UpstreamCall {
  const { model, stream, ...provider } = init;
  return {
    model,
    stream: stream ?? false,
    provider: {
      name: provider.name ?? provider.api,
      baseUrl: provider.baseUrl ?? '',
      apiKey: provider.apiKey ?? 'test-key',
      headers: provider.headers ?? {},
      dropParams: provider.dropParams ?? [],
      options: provider.options ?? {},
      api: provider.api,
    },
  };
}
