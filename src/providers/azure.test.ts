import { upstreamCall } from '../testing/upstream-call';
import { azureAdapter, azureEndpoint } from './azure';

describe('azure adapter', () => {
  const call = upstreamCall({
    api: 'azure',
    name: 'azure-east',
    model: 'gpt4o-prod',
    baseUrl: 'https://acme.openai.azure.com',
    apiKey: 'az-key',
    options: { api_version: '2024-10-21' },
  });

  it('puts the deployment in the path, the version in the query and the key in api-key', () => {
    const spec = azureAdapter.buildChatRequest({ model: 'gpt4o-prod', messages: [{ role: 'user', content: 'Hi' }], logprobs: true }, call);
    expect(spec.url).toBe('https://acme.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21');
    expect(spec.headers['api-key']).toBe('az-key');
    expect(spec.headers.authorization).toBeUndefined();
    // Same pass-through body as OpenAI: unknown fields are forwarded.
    expect(JSON.parse(spec.body ?? '{}')).toMatchObject({ model: 'gpt4o-prod', logprobs: true });
  });

  it('asks for the usage chunk when streaming, like the OpenAI adapter', () => {
    const spec = azureAdapter.buildChatRequest({ model: 'gpt4o-prod', messages: [], stream: true }, { ...call, stream: true });
    expect(JSON.parse(spec.body ?? '{}').stream_options).toEqual({ include_usage: true });
  });

  it('accepts a base_url ending in /openai, a resource name, a default version and the v1 API', () => {
    expect(azureEndpoint({ baseUrl: 'https://acme.openai.azure.com/openai/', options: {} }, 'd', 'chat/completions')).toBe(
      'https://acme.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21',
    );
    expect(azureEndpoint({ baseUrl: '', options: { resource: 'acme' } }, 'd', 'embeddings')).toBe(
      'https://acme.openai.azure.com/openai/deployments/d/embeddings?api-version=2024-10-21',
    );
    expect(azureEndpoint({ baseUrl: 'https://acme.openai.azure.com', options: { api_version: 'v1' } }, 'd', 'chat/completions')).toBe(
      'https://acme.openai.azure.com/openai/v1/chat/completions',
    );
  });

  it('builds embeddings requests against the deployment', () => {
    const spec = azureAdapter.buildEmbeddingsRequest?.({ model: 'embed-prod', input: 'hello' }, { ...call, model: 'embed-prod' });
    expect(spec?.url).toBe('https://acme.openai.azure.com/openai/deployments/embed-prod/embeddings?api-version=2024-10-21');
    expect(spec?.headers['api-key']).toBe('az-key');
  });

  it('maps a 401 to the gateway 502 naming the provider, and keeps context_length_exceeded', () => {
    const auth = azureAdapter.parseError(401, '{"error":{"code":"401","message":"Access denied due to invalid subscription key"}}', {}, call.provider);
    expect(auth).toMatchObject({ status: 502, credentialProblem: true });
    expect(auth.message).toContain('azure-east');
    const ctx = azureAdapter.parseError(
      400,
      '{"error":{"message":"This model\'s maximum context length is 128000 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}}',
      {},
      call.provider,
    );
    expect(ctx).toMatchObject({ status: 400, code: 'context_length_exceeded' });
  });

  it('reads retry-after on a 429', () => {
    expect(
      azureAdapter.parseError(
        429,
        '{"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation have exceeded call rate limit."}}',
        { 'retry-after': '4' },
        call.provider,
      ),
    ).toMatchObject({ status: 429, retryable: true, retryAfterMs: 4000 });
  });
});
