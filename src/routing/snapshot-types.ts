/**
 * The shape of a runtime snapshot: the compiled config one request runs against (providers with their adapters and
 * transports, aliases with their targets and policy, the plugin pipeline, the routing state). runtime/snapshot.ts
 * builds it; routing and the HTTP layer read it. It lives here, not beside its builder, because routing reads it
 * and the builder imports routing: the shape sits below both, so no layer imports one above it.
 */
import type { AliasConfig, GatewayConfig, ProviderConfig, Strategy } from '../config/types';
import type { Pipeline } from '../pipeline/pipeline';
import type { ModelPrice } from '../pricing/price-table';
import type { ResponseStore } from '../responses/store/types';
import type { ProviderAdapter, ProviderSettings } from '../providers/types';
import type { Transport } from '../upstream/transport';
import type { AliasPolicy } from './policy';
import type { RoutingState } from './routing-state';
import type { RequestLog } from '../stores/request-log/request-record';
import type { FeedbackService } from '../feedback/feedback-service';
import type { Tracing } from '../observability/tracing';
import type { HeadroomBook } from './headroom-book';

export interface ResolvedProvider {
  name: string;
  config: ProviderConfig;
  settings: ProviderSettings;
  adapter: ProviderAdapter;
  transport: Transport;
  /** False when its api_key resolved empty; `missingEnv` names the variables. */
  available: boolean;
  missingEnv: string[];
  timeouts: { totalMs: number; firstByteMs?: number; connectMs: number };
  /** Its active health check, when it has `health_check:` (routing/health-checks.ts). */
  healthCheck?: HealthCheckView;
  /** The rate-limit headroom its answers reported, per model (routing/headroom-book.ts); absent for mock providers. */
  rateLimits?: HeadroomBook;
}

/** What /health/ready reads of a provider's health check. */
export interface HealthCheckView {
  last(): { ok: boolean; checked_at: string; latency_ms: number; kind: string; status?: number; error?: string } | undefined;
}

export interface ResolvedTarget {
  provider: string;
  model: string;
  weight: number;
  /** The target's `price:`, else its provider's: the last step of the price lookup (see pricing/price-table.ts). */
  price?: ModelPrice;
}

export interface ResolvedAlias {
  name: string;
  strategy: Strategy;
  targets: ResolvedTarget[];
  fallbacks: string[];
  /** Retry, cooldown, hedging, timeout and rules, resolved over the top-level defaults. */
  policy: AliasPolicy;
  config: AliasConfig;
}

/** Aliases made on the fly for `prefix/model` names (routing/wildcard-aliases.ts). */
export interface WildcardResolver {
  readonly patterns: readonly { prefix: string; provider: string }[];
  resolve(name: string): ResolvedAlias | undefined;
}

export interface RuntimeSnapshot {
  readonly file: string;
  readonly configDir: string;
  readonly hash: string;
  readonly loadedAt: Date;
  readonly config: GatewayConfig;
  readonly providers: ReadonlyMap<string, ResolvedProvider>;
  readonly aliases: ReadonlyMap<string, ResolvedAlias>;
  /** `prefix/*` aliases and `expose_catalog` providers; absent when the config has none. */
  readonly wildcards?: WildcardResolver;
  readonly pipeline: Pipeline;
  /** Breakers and target statistics; the same object across reloads. */
  readonly routing: RoutingState;
  /** Quality feedback, when the config has a `feedback:` section; the same object across reloads with the same settings. */
  readonly feedback?: FeedbackService;
  /** OpenTelemetry tracing, when the config enables it; absent (and free) otherwise. */
  readonly tracing?: Tracing;
  /** Files whose change should trigger a reload (the config and custom plugins). */
  readonly watchedFiles: string[];
  /** Responses API state (`responses:`); kept across reloads; undefined when disabled. Read it with responseStoreFor. */
  readonly responseStore?: ResponseStore;
  /** The dashboard's request log (`server.dashboard.store`), kept across reloads; undefined when the dashboard is off. */
  readonly requestLog?: RequestLog;
}
