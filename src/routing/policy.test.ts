import type { AliasConfig, GatewayConfig } from '../config/types';
import { resolveAliasPolicy } from './policy';

const config = (extra: Partial<GatewayConfig>) => ({ providers: {}, models: {}, plugins: [], ...extra }) as unknown as GatewayConfig;

describe('resolveAliasPolicy', () => {
  test('without retry: or cooldown: there is one try per target and no breaker', () => {
    const p = resolveAliasPolicy('a', { targets: [] }, config({}));
    expect(p.retry.attempts).toBe(1);
    expect(p.breaker).toBeUndefined();
  });

  test('an alias overrides the top-level defaults field by field', () => {
    const top = config({ retry: { attempts: 2, backoff_ms: 50 }, cooldown: { failures: 5 } });
    const alias: AliasConfig = { targets: [], retry: { attempts: 4 }, cooldown: { duration_s: 2 } };
    const p = resolveAliasPolicy('a', alias, top);
    expect(p.retry).toEqual({ attempts: 4, backoffMs: 50, maxBackoffMs: 5000 });
    expect(p.breaker).toEqual({ failures: 5, windowMs: 60_000, durationMs: 2000 });
  });

  test('route rules are compiled, hedging and timeouts carried over', () => {
    const p = resolveAliasPolicy('auto', { route: [{ to: 'cheap' }], hedge_after_ms: 800, timeout_ms: 9000, context_window_fallbacks: ['big'] }, config({}));
    expect(p.rules?.map((r) => r.name)).toEqual(['auto.route[0]']);
    expect(p).toMatchObject({ hedgeAfterMs: 800, timeoutMs: 9000, contextWindowFallbacks: ['big'] });
  });
});
