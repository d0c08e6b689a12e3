import { upstreamCall } from '../../testing/upstream-call';
import { publisherOf, vertexAdapter, vertexEndpoint, vertexHost } from '.';

describe('vertex adapter', () => {
  test('global and regional endpoints', () => {
    expect(vertexHost('global')).toBe('aiplatform.googleapis.com');
    expect(vertexHost('europe-west4')).toBe('europe-west4-aiplatform.googleapis.com');
    expect(vertexAdapter.baseUrlFor?.({ region: 'us-east5' }, {})).toBe('https://us-east5-aiplatform.googleapis.com/v1');
    expect(vertexAdapter.baseUrlFor?.({}, {})).toBe('https://aiplatform.googleapis.com/v1');
  });

  test('Claude models go to the anthropic publisher with rawPredict, Gemini to google', () => {
    expect(publisherOf('claude-opus-4-1@20250805')).toBe('anthropic');
    expect(publisherOf('gemini-2.5-pro')).toBe('google');
    expect(vertexEndpoint('https://x/v1', { project: 'p', region: 'r' }, 'claude-opus-4-1@20250805', true)).toBe(
      'https://x/v1/projects/p/locations/r/publishers/anthropic/models/claude-opus-4-1%4020250805:streamRawPredict',
    );
    expect(vertexEndpoint('https://x/v1', {}, 'gemini-2.5-pro', true)).toBe(
      'https://x/v1/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
    );
  });

  test('a Claude body has the Vertex anthropic_version and no model', () => {
    const call = upstreamCall({ api: 'vertex', baseUrl: 'https://x/v1', options: { project: 'p' }, model: 'claude-haiku-4-5@20251001' });
    const spec = vertexAdapter.buildChatRequest({ model: 'claude-haiku-4-5@20251001', messages: [{ role: 'user', content: 'Hi' }] }, call);
    const body = JSON.parse(spec.body ?? '{}') as Record<string, unknown>;
    expect(body.anthropic_version).toBe('vertex-2023-10-16');
    expect('model' in body).toBe(false);
    expect(body.max_tokens).toBe(64000);
  });

  test('errors in Anthropic shape are read as Anthropic errors, others as Google errors', () => {
    const settings = upstreamCall({ api: 'vertex', model: 'm' }).provider;
    expect(vertexAdapter.parseError(529, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', {}, settings).status).toBe(503);
    expect(vertexAdapter.parseError(429, '{"error":{"code":429,"message":"Quota","status":"RESOURCE_EXHAUSTED"}}', {}, settings).status).toBe(429);
    expect(vertexAdapter.parseError(401, '{"error":{"code":401,"message":"no","status":"UNAUTHENTICATED"}}', {}, settings).credentialProblem).toBe(true);
  });
});
