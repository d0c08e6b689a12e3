/**
 * An alias's routing policy, resolved once per snapshot: its own `retry` / `cooldown` over the top-level
 * defaults, its rules compiled, its hedging and timeout settings. The routing loop reads only this.
 */
import type { AliasConfig, GatewayConfig } from '../config/types';
import type { CooldownConfig, RetryConfig } from '../config/routing-schema';
import { compileRules, type CompiledRule } from './rules';
import { DEFAULT_AFFINITY_TTL_S, type AffinityPolicy } from './affinity';

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export interface CooldownPolicy {
  failures: number;
  windowMs: number;
  durationMs: number;
}

export interface AliasPolicy {
  retry: RetryPolicy;
  /**
   * Absent when no `cooldown:` is configured (top level or alias): then the router keeps no health state at all,
   * neither the failure-counting breaker nor the cooldowns after a long Retry-After or rejected credentials.
   */
  breaker?: CooldownPolicy;
  hedgeAfterMs?: number;
  timeoutMs?: number;
  contextWindowFallbacks: string[];
  /** Present for an alias that routes by rules instead of having targets. */
  rules?: CompiledRule[];
  /** Present when the alias keeps conversations on the target that served them. */
  affinity?: AffinityPolicy;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 1, backoffMs: 100, maxBackoffMs: 5000 };
const DEFAULT_COOLDOWN = { failures: 3, window_s: 60, duration_s: 30 };

function retryPolicy(top: RetryConfig | undefined, own: RetryConfig | undefined): RetryPolicy {
  const merged = { ...top, ...own };
  return {
    attempts: merged.attempts ?? DEFAULT_RETRY.attempts,
    backoffMs: merged.backoff_ms ?? DEFAULT_RETRY.backoffMs,
    maxBackoffMs: merged.max_backoff_ms ?? DEFAULT_RETRY.maxBackoffMs,
  };
}

function breakerPolicy(top: CooldownConfig | undefined, own: CooldownConfig | undefined): CooldownPolicy | undefined {
  if (!top && !own) return undefined;
  const merged = { ...DEFAULT_COOLDOWN, ...top, ...own };
  return { failures: merged.failures, windowMs: merged.window_s * 1000, durationMs: merged.duration_s * 1000 };
}

/**
 * @example resolveAliasPolicy('chat', config.models.chat, config).retry // { attempts: 2, backoffMs: 100, maxBackoffMs: 5000 }
 */
export function resolveAliasPolicy(name: string, alias: AliasConfig, config: GatewayConfig): AliasPolicy {
  const breaker = breakerPolicy(config.cooldown, alias.cooldown);
  return {
    retry: retryPolicy(config.retry, alias.retry),
    breaker,
    hedgeAfterMs: alias.hedge_after_ms,
    timeoutMs: alias.timeout_ms,
    contextWindowFallbacks: alias.context_window_fallbacks ?? [],
    rules: alias.route ? compileRules(name, alias.route) : undefined,
    affinity: affinityPolicy(alias.affinity),
  };
}

function affinityPolicy(setting: AliasConfig['affinity']): AffinityPolicy | undefined {
  if (!setting) return undefined;
  const ttlS = setting === true ? DEFAULT_AFFINITY_TTL_S : (setting.ttl_s ?? DEFAULT_AFFINITY_TTL_S);
  return { ttlMs: ttlS * 1000 };
}
