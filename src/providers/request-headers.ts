/**
 * The headers of a request to a provider: JSON in; JSON, or an event stream, out; the provider's own
 * `headers:` from the config; then its credentials. They are the same on every request of one provider in one
 * mode, so they are made once and shared (frozen, as every request holds them).
 *
 * Why not build them per request: merging the pieces with object spreads took several µs on every call on the
 * reference machine, about as long as sending the request. A config reload makes new provider settings, and
 * with them new headers, so a changed key or header is picked up.
 */
import type { ProviderSettings } from './types';

type AuthHeaders = (provider: ProviderSettings) => Record<string, string>;
type Made = { json?: Readonly<Record<string, string>>; stream?: Readonly<Record<string, string>> };

/** Per adapter's credentials function, then per provider: adapters that share settings (azure reuses OpenAI's) never mix. */
const made = new WeakMap<AuthHeaders, WeakMap<ProviderSettings, Made>>();

/**
 * @example providerHeaders(call.provider, call.stream, anthropicAdapter.authHeaders)
 * // { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': '…', 'anthropic-version': '…' }
 */
export function providerHeaders(provider: ProviderSettings, stream: boolean, auth: AuthHeaders): Readonly<Record<string, string>> {
  let byProvider = made.get(auth);
  if (!byProvider) made.set(auth, (byProvider = new WeakMap()));
  let entry = byProvider.get(provider);
  if (!entry) byProvider.set(provider, (entry = {}));
  const mode = stream ? 'stream' : 'json';
  return (entry[mode] ??= Object.freeze({
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    ...provider.headers,
    ...auth(provider),
  }));
}
