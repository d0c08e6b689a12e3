import { providerHeaders } from './request-headers';
import type { ProviderSettings } from './types';

const settings = (apiKey: string): ProviderSettings => ({
  name: 'p',
  api: 'openai',
  baseUrl: 'http://127.0.0.1:1/v1',
  apiKey,
  headers: { 'x-team': 'blue' },
  dropParams: [],
  options: {},
});
const bearer = (p: ProviderSettings) => ({ authorization: `Bearer ${p.apiKey}` });
const apiKey = (p: ProviderSettings) => ({ 'api-key': p.apiKey });

describe('providerHeaders', () => {
  it('merges content type, accept for the mode, the configured headers and the credentials', () => {
    const p = settings('sk-one');
    expect(providerHeaders(p, false, bearer)).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
      'x-team': 'blue',
      authorization: 'Bearer sk-one',
    });
    expect(providerHeaders(p, true, bearer).accept).toBe('text/event-stream');
  });

  it('makes them once per provider and mode, frozen, so requests can share them', () => {
    const p = settings('sk-one');
    const first = providerHeaders(p, false, bearer);
    expect(providerHeaders(p, false, bearer)).toBe(first);
    expect(providerHeaders(p, true, bearer)).not.toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('keeps adapters that share settings apart, and picks up new settings after a reload', () => {
    const p = settings('sk-one');
    expect(providerHeaders(p, false, bearer).authorization).toBe('Bearer sk-one');
    expect(providerHeaders(p, false, apiKey)).toMatchObject({ 'api-key': 'sk-one' });
    expect(providerHeaders(p, false, apiKey).authorization).toBeUndefined();
    expect(providerHeaders(settings('sk-two'), false, bearer).authorization).toBe('Bearer sk-two');
  });
});
