/**
 * Active health checks (`providers.<name>.health_check`): a cheap request on an interval — the provider's model
 * list, or a one-token completion — so a dead provider is skipped before a user request finds out. A failed check
 * cools the whole provider down in the cooldown book (the key `<provider>:*` that rejected credentials use too);
 * a passing one clears it. The checker outlives reloads in the state registry (same settings, same checker), its
 * timer is unref'd, and disposing it (a reload that drops it, shutdown) stops it.
 */
import type { HealthCheckConfig } from '../config/types';
import type { CooldownBook } from './cooldown-book';
import { probeCompletion, probeModels, type ProbeResult } from './provider-probe';
import { providerKey } from './routing-state';
import type { HealthCheckView, ResolvedProvider } from './snapshot-types';

/** The last check, as /health/ready shows it. */
export interface HealthResult {
  ok: boolean;
  /** ISO time the check finished. */
  checked_at: string;
  latency_ms: number;
  kind: HealthCheckConfig['kind'];
  status?: number;
  error?: string;
}

/** Longest a failed check keeps a provider cooled down without a `cooldown_s`, in check intervals. */
const DEFAULT_COOL_INTERVALS = 10;

/**
 * @example
 * const checker = state.keep(`health:${name}|…`, () => new HealthChecker(provider, cfg, routing.cooldowns), (c) => c.stop());
 * checker.use(provider); checker.start();
 */
export class HealthChecker implements HealthCheckView {
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private result: HealthResult | undefined;
  private checking = false;
  /** Whether this process runs the checks; with --workers only one worker does (cluster/health-sync.ts). */
  probes: () => boolean = () => true;
  /** Told of each check this process ran (with --workers, to hand it to the other workers). */
  onResult?: (result: HealthResult) => void;

  constructor(
    private provider: ResolvedProvider,
    private readonly cfg: HealthCheckConfig,
    private readonly book: CooldownBook,
  ) {}

  /** The provider of the newest snapshot (the same settings; its transport may be a new object). */
  use(provider: ResolvedProvider): void {
    this.provider = provider;
  }

  /** Starts checking (the first check at once); later calls do nothing. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  last(): HealthResult | undefined {
    return this.result;
  }

  /** Started and not stopped (a reload that dropped it, shutdown). */
  get running(): boolean {
    return this.started && !this.stopped;
  }

  /** A check another worker ran (its cooldown arrives through the book's own sharing). */
  applyPeer(result: HealthResult): void {
    if (!this.stopped) this.result = result;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    // One check at a time: the next is timed from the end of this one, so a slow provider is not piled on.
    const next = () => {
      this.checking = false;
      this.schedule(this.cfg.interval_s * 1000);
    };
    this.timer = setTimeout(() => {
      if (!this.probes()) return next();
      this.checking = true;
      void this.check().finally(next);
    }, ms);
    this.timer.unref();
  }

  /** Checks now rather than at the next tick, unless a check is running (a worker taking over the checks). */
  checkSoon(): void {
    if (!this.running || this.checking) return;
    clearTimeout(this.timer);
    this.schedule(0);
  }

  /** Runs one check now and feeds the cooldown book. @example await checker.check() // { ok: true, … } */
  async check(): Promise<HealthResult> {
    const p = this.provider;
    const started = performance.now();
    let probe: ProbeResult;
    if (!p.available) probe = { ok: false, error: `unavailable: ${p.missingEnv.join(', ')} not set` };
    else if (this.cfg.kind === 'completion') probe = await probeCompletion(p, this.cfg.model ?? '', this.cfg.timeout_ms);
    else probe = await probeModels(p, this.cfg.timeout_ms);
    const result: HealthResult = {
      ok: probe.ok,
      checked_at: new Date().toISOString(),
      latency_ms: Math.round((performance.now() - started) * 10) / 10,
      kind: this.cfg.kind,
      ...(probe.status !== undefined ? { status: probe.status } : {}),
      ...(probe.error !== undefined ? { error: probe.error } : {}),
    };
    if (this.stopped) return result;
    this.result = result;
    this.onResult?.(result);
    const key = providerKey(p.name);
    if (probe.ok) this.book.clear(key);
    else if (p.available) {
      const ms = (this.cfg.cooldown_s ?? this.cfg.interval_s * DEFAULT_COOL_INTERVALS) * 1000;
      this.book.coolFor(key, ms, `health check failed: ${probe.error ?? 'no answer'}`);
    }
    return result;
  }
}

/** The registry key of a provider's checker: a change of its settings or URL makes a new one. */
export function healthCheckKey(provider: ResolvedProvider, cfg: HealthCheckConfig): string {
  return `health:${provider.name}|${provider.settings.baseUrl}|${JSON.stringify(cfg)}`;
}
